/**
 * The `sagemaker-config` node: region, endpoint URL, credentials and retry/timeout settings, and the one
 * SageMaker Runtime client that every invoke node pointing at it shares. A thin adapter over src/config/client-config.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CONFIG_CREDENTIALS, CONFIG_NODE_TYPE, PROXY_NODE_TYPE, TLS_NODE_TYPE } from '../shared/names';
import {
  buildClientConfig,
  resolveClientSettings,
  type ConfigCredentials,
  type NetworkSettings,
  type RawConfigSettings,
} from '../config/client-config';
import { proxyEnvOf, proxyEnvOfNode, proxyEnvSecrets, type ProxyNodeSettings } from '../config/proxy';
import { MAX_SOCKETS, SocketLimit, type TlsOptions } from '../config/http-handler';
import { FlowError } from '../shared/flow-error';
import { alongside, collectProblems, inWords, problem } from '../shared/problems';
import { LazyBidiClient } from '../bidi/client';
import { Secrets } from '../config/secrets';
import { createS3Clients } from '../config/s3-client';
import { allowOneAttempt } from '../config/one-attempt';
import { AsyncResultService } from '../invoke/async/service';
import type { SageMakerConfigNode } from './node-types';

interface SageMakerConfigDef extends NodeDef, Omit<RawConfigSettings, 'id' | 'name'> {
  /** id of a core `http proxy` config node */
  proxy?: string;
  /** id of a core `tls-config` config node */
  tls?: string;
  /** authMode iot: id of the core `tls-config` node with the device certificate, its key and the CA */
  iotTls?: string;
}

/** What the config node uses of a core `http proxy` config node. */
interface ProxyConfigNode extends Node<{ username?: string; password?: string }>, ProxyNodeSettings {}

/** What the config node uses of a core `tls-config` config node. */
interface TlsConfigNode extends Node<{ passphrase?: string }> {
  /** false when it could not read its certificate files */
  valid?: boolean;
  addTLSOptions(opts: TlsOptions): TlsOptions;
}

type KeepSecret = (...values: (string | undefined)[]) => void;

/** The options of a core `tls-config` node (as core's MQTT and HTTP request nodes read them). */
function tlsOptionsOf(RED: NodeAPI, id: string | undefined, field: 'tls' | 'iotTls', keepSecret: KeepSecret): TlsOptions | undefined {
  const tlsId = (id ?? '').trim();
  // Each problem is reported with the settings' own (shared/problems), not after them.
  if (!tlsId) return problem(new FlowError('missingField', { field }), undefined);
  const tlsNode = RED.nodes.getNode(tlsId) as TlsConfigNode | null;
  if (!tlsNode) return problem(new FlowError('missingConfigNode', { field, type: TLS_NODE_TYPE }), undefined);
  if (tlsNode.valid === false) return problem(new FlowError('invalidTlsNode', {}), undefined);
  keepSecret(tlsNode.credentials?.passphrase);
  const options = tlsNode.addTLSOptions({});
  // A private key given as text never leaves in a message either (as with the passphrase).
  if (typeof options.key === 'string' || Buffer.isBuffer(options.key)) keepSecret(options.key.toString());
  return options;
}

/** Proxy and TLS from the core config nodes the config node points at, or the proxy from the environment. */
function networkOf(RED: NodeAPI, def: SageMakerConfigDef, sockets: SocketLimit, keepSecret: KeepSecret): NetworkSettings {
  const out: NetworkSettings = { sockets };
  const proxyId = (def.proxy ?? '').trim();
  if (proxyId) {
    const proxyNode = RED.nodes.getNode(proxyId) as ProxyConfigNode | null;
    if (!proxyNode) return problem(new FlowError('missingConfigNode', { field: 'proxy', type: PROXY_NODE_TYPE }), out);
    const auth = proxyNode.credentials ?? {};
    keepSecret(auth.password);
    out.proxyEnv = proxyEnvOfNode(proxyNode);
    if (auth.username || auth.password) out.proxyAuth = { username: auth.username, password: auth.password };
  } else {
    out.proxyEnv = proxyEnvOf(process.env);
    keepSecret(...proxyEnvSecrets(out.proxyEnv));
  }
  if ((def.tls ?? '').trim()) out.tls = tlsOptionsOf(RED, def.tls, 'tls', keepSecret);
  if (def.authMode === 'iot') out.iotTls = tlsOptionsOf(RED, def.iotTls, 'iotTls', keepSecret);
  return out;
}

export = function register(RED: NodeAPI): void {
  function SageMakerConfig(this: SageMakerConfigNode, def: SageMakerConfigDef): void {
    RED.nodes.createNode(this, def);
    const creds: ConfigCredentials = this.credentials ?? {};
    const secrets = new Secrets(creds.secretAccessKey, creds.sessionToken);
    const keepSecret: KeepSecret = (...values) => secrets.add(...values);
    this.redact = (text: string): string => secrets.redact(text);

    // The agents allow at least the SDK's default of sockets, and as many as the invoke nodes' in-flight limits
    // add up to, so no request waits for a socket.
    const sockets = new SocketLimit(MAX_SOCKETS);
    this.reserveSockets = (count: number): (() => void) => sockets.reserve(count);

    let bidi: LazyBidiClient | undefined;
    try {
      // Every problem at once: the settings' own, then the proxy and TLS nodes they point at.
      const { settings, net } = collectProblems(() => ({
        settings: alongside(() => resolveClientSettings(def, creds)),
        net: networkOf(RED, def, sockets, keepSecret),
      }));
      if (!settings) throw new Error('unreachable: collectProblems throws when a check failed');
      this.settings = settings;
      const client = (this.client = new SageMakerRuntimeClient(buildClientConfig(settings, creds, net)));
      allowOneAttempt(client); // the invoke nodes' probes during an outage are single attempts
      bidi = new LazyBidiClient(settings, net, client.config.credentials);
      // S3 for async results and uploads: made only when an invoke node first needs it.
      this.asyncResults = new AsyncResultService(() => createS3Clients(settings, creds, net, client), settings.s3MaxRequestRate);
    } catch (err) {
      const message =
        err instanceof FlowError
          ? inWords(err, (key, params) => RED._(`${CONFIG_NODE_TYPE}.errors.${key}`, params))
          : RED._(`${CONFIG_NODE_TYPE}.errors.clientFailed`, { message: (err as Error).message });
      this.configError = this.redact(message);
      this.error(this.configError);
    }

    this.bidiClient = () => {
      if (!bidi) throw new Error(this.configError ?? 'the config node has no client');
      return bidi.get();
    };

    this.on('close', (done: () => void) => {
      bidi?.destroy();
      bidi = undefined;
      this.asyncResults?.close();
      this.asyncResults = undefined;
      this.client?.destroy();
      this.client = undefined;
      done();
    });
  }

  RED.nodes.registerType<SageMakerConfigNode, SageMakerConfigDef, unknown, ConfigCredentials>(CONFIG_NODE_TYPE, SageMakerConfig, {
    credentials: CONFIG_CREDENTIALS,
  });
};
