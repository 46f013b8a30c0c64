/**
 * The `sagemaker-config` node: region, endpoint URL, credentials and retry/timeout settings, and the one
 * SageMaker Runtime client that every invoke node pointing at it shares. A thin adapter over lib/client-config.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CONFIG_CREDENTIALS, CONFIG_NODE_TYPE } from './lib/names';
import {
  buildClientConfig,
  resolveClientSettings,
  type ConfigCredentials,
  type RawConfigSettings,
} from './lib/client-config';
import { FlowError } from './lib/flow-error';
import type { SageMakerConfigNode } from './node-types';

interface SageMakerConfigDef extends NodeDef, RawConfigSettings {}

export = function register(RED: NodeAPI): void {
  function SageMakerConfig(this: SageMakerConfigNode, def: SageMakerConfigDef): void {
    RED.nodes.createNode(this, def);
    const creds: ConfigCredentials = this.credentials ?? {};
    const secrets = [creds.secretAccessKey, creds.sessionToken].filter((s): s is string => !!s && s.length >= 4);

    this.redact = (text: string): string => secrets.reduce((t, secret) => t.split(secret).join('****'), text);

    try {
      this.settings = resolveClientSettings(def, creds);
      this.client = new SageMakerRuntimeClient(buildClientConfig(this.settings, creds));
    } catch (err) {
      const message =
        err instanceof FlowError
          ? RED._(`${CONFIG_NODE_TYPE}.errors.${err.key}`, err.params)
          : RED._(`${CONFIG_NODE_TYPE}.errors.clientFailed`, { message: (err as Error).message });
      this.configError = this.redact(message);
      this.error(this.configError);
    }

    this.on('close', (done: () => void) => {
      this.client?.destroy();
      this.client = undefined;
      done();
    });
  }

  RED.nodes.registerType<SageMakerConfigNode, SageMakerConfigDef, unknown, ConfigCredentials>(CONFIG_NODE_TYPE, SageMakerConfig, {
    credentials: CONFIG_CREDENTIALS,
  });
};
