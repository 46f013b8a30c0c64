/**
 * An error meant for a flow builder: an i18n key (under the node type's `errors.` namespace in
 * nodes/locales/en-US) and its parameters. The node adapters turn it into words with RED._, so every message
 * lives in the locale files while the pure modules stay free of Node-RED.
 */
export type FlowErrorParams = Record<string, string | number>;

export class FlowError extends Error {
  readonly key: string;
  readonly params: FlowErrorParams;

  constructor(key: string, params: FlowErrorParams = {}) {
    super(`${key} ${JSON.stringify(params)}`);
    this.name = 'FlowError';
    this.key = key;
    this.params = params;
  }
}
