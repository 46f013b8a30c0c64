/**
 * How a config node reaches AWS, read from the core config nodes it points at: the `http proxy` node (or the proxy
 * of the environment) and the `tls-config` nodes (custom CA and client certificate; the device certificate of
 * authMode iot). Used by the config node when it starts, and by the discovery routes for a config node as it stands
 * in the dialog, which may point at proxy and TLS nodes: only deployed ones can be read.
 */
import type { Node, NodeAPI } from 'node-red';
import { PROXY_NODE_TYPE, TLS_NODE_TYPE } from '../shared/names';
import type { NetworkSettings } from '../config/client-config';
import { proxyEnvOf, proxyEnvOfNode, proxyEnvSecrets, type ProxyNodeSettings } from '../config/proxy';
import type { SocketLimit, TlsOptions } from '../config/http-handler';
import { FlowError } from '../shared/flow-error';
import { problem } from '../shared/problems';

/** The ids of the core config nodes a config node points at, and its credentials mode. */
export interface NetworkNodeIds {
  /** id of a core `http proxy` config node */
  proxy?: string;
  /** id of a core `tls-config` config node */
  tls?: string;
  /** authMode iot: id of the core `tls-config` node with the device certificate, its key and the CA */
  iotTls?: string;
  authMode?: unknown;
}

/** What the config node uses of a core `http proxy` config node. */
interface ProxyConfigNode extends Node<{ username?: string; password?: string }>, ProxyNodeSettings {}

/** What the config node uses of a core `tls-config` config node. */
interface TlsConfigNode extends Node<{ passphrase?: string }> {
  /** false when it could not read its certificate files */
  valid?: boolean;
  addTLSOptions(opts: TlsOptions): TlsOptions;
}

export type KeepSecret = (...values: (string | undefined)[]) => void;

export interface NetworkOptions {
  /** the socket limit of the client's agents (the config node's); absent: the SDK's default */
  sockets?: SocketLimit;
  /**
   * The problem's key when a proxy or TLS node is not there: `missingConfigNode` for a config node that starts
   * (deleted or disabled), `undeployedConfigNode` for one used from the dialog (deploy it first).
   */
  missingKey?: 'missingConfigNode' | 'undeployedConfigNode';
}

/** The options of a core `tls-config` node (as core's MQTT and HTTP request nodes read them). */
function tlsOptionsOf(RED: NodeAPI, id: string | undefined, field: 'tls' | 'iotTls', keepSecret: KeepSecret, missingKey: string): TlsOptions | undefined {
  const tlsId = (id ?? '').trim();
  // Each problem is reported with the settings' own (shared/problems), not after them.
  if (!tlsId) return problem(new FlowError('missingField', { field }), undefined);
  const tlsNode = RED.nodes.getNode(tlsId) as TlsConfigNode | null;
  if (!tlsNode) return problem(new FlowError(missingKey, { field, type: TLS_NODE_TYPE }), undefined);
  if (tlsNode.valid === false) return problem(new FlowError('invalidTlsNode', {}), undefined);
  keepSecret(tlsNode.credentials?.passphrase);
  const options = tlsNode.addTLSOptions({});
  // A private key given as text never leaves in a message either (as with the passphrase).
  if (typeof options.key === 'string' || Buffer.isBuffer(options.key)) keepSecret(options.key.toString());
  return options;
}

/** Proxy and TLS from the core config nodes the config node points at, or the proxy from the environment. */
export function networkOf(RED: NodeAPI, ids: NetworkNodeIds, keepSecret: KeepSecret, options: NetworkOptions = {}): NetworkSettings {
  const missingKey = options.missingKey ?? 'missingConfigNode';
  const out: NetworkSettings = options.sockets ? { sockets: options.sockets } : {};
  const proxyId = (ids.proxy ?? '').trim();
  if (proxyId) {
    const proxyNode = RED.nodes.getNode(proxyId) as ProxyConfigNode | null;
    if (!proxyNode) return problem(new FlowError(missingKey, { field: 'proxy', type: PROXY_NODE_TYPE }), out);
    const auth = proxyNode.credentials ?? {};
    keepSecret(auth.password);
    out.proxyEnv = proxyEnvOfNode(proxyNode);
    if (auth.username || auth.password) out.proxyAuth = { username: auth.username, password: auth.password };
  } else {
    out.proxyEnv = proxyEnvOf(process.env);
    keepSecret(...proxyEnvSecrets(out.proxyEnv));
  }
  if ((ids.tls ?? '').trim()) out.tls = tlsOptionsOf(RED, ids.tls, 'tls', keepSecret, missingKey);
  if (ids.authMode === 'iot') out.iotTls = tlsOptionsOf(RED, ids.iotTls, 'iotTls', keepSecret, missingKey);
  return out;
}
