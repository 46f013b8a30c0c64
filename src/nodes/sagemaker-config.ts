/**
 * The `sagemaker-config` node: region, endpoint URL, credentials and retry/timeout settings, and the one
 * SageMaker Runtime client that every invoke node pointing at it shares. A thin adapter over src/config/client-config.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CONFIG_CREDENTIALS, CONFIG_NODE_TYPE } from '../shared/names';
import {
  buildClientConfig,
  resolveClientSettings,
  type ConfigCredentials,
  type RawConfigSettings,
} from '../config/client-config';
import { MAX_SOCKETS, SocketLimit } from '../config/http-handler';
import { FlowError } from '../shared/flow-error';
import { alongside, collectProblems, inWords } from '../shared/problems';
import { LazyBidiClient } from '../bidi/client';
import { Secrets } from '../config/secrets';
import { createS3Clients } from '../config/s3-client';
import { allowOneAttempt } from '../config/one-attempt';
import { AsyncResultService } from '../invoke/async/service';
import type { SageMakerConfigNode } from './node-types';
import { networkOf, type KeepSecret, type NetworkNodeIds } from './config-network';
import { registerDiscoveryRoutes } from './discovery-routes';

interface SageMakerConfigDef extends NodeDef, Omit<RawConfigSettings, 'id' | 'name'>, NetworkNodeIds {}

export = function register(RED: NodeAPI): void {
  // The edit dialogs' endpoint discovery: admin routes that use a config node as it stands in the dialog.
  registerDiscoveryRoutes(RED);

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
        net: networkOf(RED, def, keepSecret, { sockets }),
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
