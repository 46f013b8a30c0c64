/**
 * The `sagemaker-invoke` node: msg in, InvokeEndpoint through the config node's shared client, msg out with the
 * decoded answer and its metadata; failures to done(err) so Catch nodes see them with the msg.
 * A thin adapter: the request, body, response and error logic live in lib/.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { InvokeEndpointCommand, type InvokeEndpointCommandOutput } from '@aws-sdk/client-sagemaker-runtime';
import {
  INVOKE_DEFAULTS,
  INVOKE_NODE_TYPE,
  METADATA_PROPERTY,
  OUTPUT_MODES,
  OVERRIDABLE_FIELDS,
  type OutputMode,
  type OverridableField,
} from './lib/names';
import { buildInvokeRequest, setMsgProperty, validateNodeFields, type NodeFieldSettings } from './lib/request';
import { decodeBody, parseNewSession, asBuffer } from './lib/response';
import { mapError, type ErrorDetails } from './lib/errors';
import { FlowError, type FlowErrorParams } from './lib/flow-error';
import type { SageMakerConfigNode } from './node-types';

type InvokeDef = NodeDef & Partial<Record<keyof typeof INVOKE_DEFAULTS, string>>;

/** How long the last error stays in the status when nothing else is happening. */
const ERROR_STATUS_MS = 5000;

/** The response metadata a msg carries in `msg.sagemaker`. */
interface Metadata {
  endpointName?: string;
  contentType?: string;
  invokedProductionVariant?: string;
  customAttributes?: string;
  newSessionId?: string;
  sessionExpires?: string;
  closedSessionId?: string;
  inferenceId?: string;
  requestId?: string;
  attempts?: number;
  durationMs?: number;
  rawBody?: Buffer;
  error?: ErrorDetails;
}

function metadataOf(endpointName: string, inferenceId: string | undefined, out: InvokeEndpointCommandOutput, durationMs: number): Metadata {
  const meta: Metadata = { endpointName };
  const set = <K extends keyof Metadata>(key: K, value: Metadata[K] | undefined) => {
    if (value !== undefined && value !== '') meta[key] = value;
  };
  set('contentType', out.ContentType);
  set('invokedProductionVariant', out.InvokedProductionVariant);
  set('customAttributes', out.CustomAttributes);
  if (out.NewSessionId) {
    const session = parseNewSession(out.NewSessionId);
    set('newSessionId', session.id);
    set('sessionExpires', session.expires);
  }
  set('closedSessionId', out.ClosedSessionId);
  set('inferenceId', inferenceId);
  set('requestId', out.$metadata.requestId);
  set('attempts', out.$metadata.attempts);
  meta.durationMs = Math.round(durationMs);
  return meta;
}

export = function register(RED: NodeAPI): void {
  function SageMakerInvoke(this: Node, def: InvokeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const configNode = RED.nodes.getNode(def.config ?? '') as SageMakerConfigNode | null;

    const fields = {} as NodeFieldSettings;
    for (const field of Object.keys(OVERRIDABLE_FIELDS) as OverridableField[]) fields[field] = def[field] ?? '';
    const inputProperty = def.inputProperty || INVOKE_DEFAULTS.inputProperty;
    const outputProperty = def.outputProperty || INVOKE_DEFAULTS.outputProperty;
    const output = (def.output || INVOKE_DEFAULTS.output) as OutputMode;

    /** Words from nodes/locales/<lang>/sagemaker-invoke.json. */
    const t = (key: string, params?: FlowErrorParams): string => RED._(`${INVOKE_NODE_TYPE}.${key}`, params);
    const redact = (text: string): string => (configNode ? configNode.redact(text) : text);

    // A setup problem fails every message with the same words; found once, here.
    let setupError: string | undefined;
    if (!configNode) setupError = t('errors.noConfig');
    else if (configNode.configError) setupError = t('errors.badConfig', { reason: configNode.configError });
    else if (!OUTPUT_MODES.includes(output)) {
      setupError = t('errors.invalidField', { field: 'output', rule: `must be one of ${OUTPUT_MODES.join(', ')}` });
    }
    else {
      const fieldError = validateNodeFields(fields);
      if (fieldError) setupError = t(`errors.${fieldError.key}`, fieldError.params);
    }

    const warned = new Set<OverridableField>();
    const inFlight = new Map<AbortController, Promise<void>>();
    let lastError: { short: string; until: number } | undefined;
    let errorTimer: NodeJS.Timeout | undefined;

    const showStatus = (): void => {
      const count = inFlight.size;
      const now = Date.now();
      let status: NodeStatus = {};
      if (setupError) status = { fill: 'red', shape: 'ring', text: t('status.notConfigured') };
      else if (lastError && lastError.until > now) {
        status = { fill: 'red', shape: 'ring', text: t(count ? 'status.errorBusy' : 'status.error', { code: lastError.short, count }) };
      } else if (count) status = { fill: 'blue', shape: 'dot', text: t('status.requesting', { count }) };
      node.status(status);
    };
    showStatus();

    const fail = (msg: NodeMessageInFlow, done: (err?: Error) => void, message: string, details: ErrorDetails, short: string, meta?: Metadata): void => {
      msg[METADATA_PROPERTY] = { ...meta, error: { ...details, message: redact(details.message) } };
      lastError = { short, until: Date.now() + ERROR_STATUS_MS };
      if (errorTimer) clearTimeout(errorTimer);
      errorTimer = setTimeout(() => {
        errorTimer = undefined;
        showStatus();
      }, ERROR_STATUS_MS);
      showStatus();
      done(new Error(redact(message)));
    };

    async function invoke(msg: NodeMessageInFlow, send: (m: NodeMessage) => void, done: (err?: Error) => void): Promise<void> {
      if (setupError || !configNode?.client || !configNode.settings) {
        const message = setupError ?? t('errors.noConfig');
        fail(msg, done, message, { name: 'ConfigurationError', message }, 'config');
        return;
      }
      const settings = configNode.settings;
      const client = configNode.client;

      let request;
      try {
        request = buildInvokeRequest(fields, msg, inputProperty);
      } catch (err) {
        const e = err instanceof FlowError ? err : new FlowError('unexpected', { name: 'Error', message: String(err) });
        const message = t(`errors.${e.key}`, e.params);
        fail(msg, done, message, { name: 'InvalidInput', message }, 'invalid');
        return;
      }
      for (const field of request.overridden) {
        if (warned.has(field)) continue;
        warned.add(field);
        node.warn(t('warnings.nooverride', { core: RED._('node-red:common.errors.nooverride'), property: field }));
      }

      const endpointName = request.input.EndpointName ?? '';
      const abort = new AbortController();
      const started = performance.now();
      const call = client.send(new InvokeEndpointCommand(request.input), { abortSignal: abort.signal });
      // close() waits on this settled copy; it never rejects.
      inFlight.set(abort, call.then(() => undefined, () => undefined));
      showStatus();
      const result = await call.then(
        (output: InvokeEndpointCommandOutput) => ({ output }),
        (error: unknown) => ({ error }),
      );
      inFlight.delete(abort);
      if ('error' in result) {
        const mapped = mapError(result.error, {
          endpointName,
          timeoutMs: settings.timeout,
          maxAttempts: settings.maxAttempts,
          endpointUrl: settings.endpointUrl,
        });
        const meta: Metadata = { endpointName };
        if (request.input.InferenceId) meta.inferenceId = request.input.InferenceId;
        if (mapped.details.requestId) meta.requestId = mapped.details.requestId;
        if (mapped.details.attempts) meta.attempts = mapped.details.attempts;
        meta.durationMs = Math.round(performance.now() - started);
        fail(msg, done, t(`errors.${mapped.key}`, mapped.params), mapped.details, mapped.short, meta);
        return;
      }
      const out = result.output;

      const meta = metadataOf(endpointName, request.input.InferenceId, out, performance.now() - started);
      let decoded: unknown;
      try {
        decoded = decodeBody(out.Body, out.ContentType, output);
      } catch (err) {
        const e = err as FlowError;
        const message = t(`errors.${e.key}`, e.params);
        meta.rawBody = asBuffer(out.Body ?? new Uint8Array(0));
        fail(msg, done, message, { name: 'InvalidResponse', message }, 'badJson', meta);
        return;
      }
      setMsgProperty(msg, outputProperty, decoded);
      msg[METADATA_PROPERTY] = meta;
      if (meta.newSessionId) msg.sessionId = meta.newSessionId;
      else if (meta.closedSessionId && meta.closedSessionId === msg.sessionId) delete msg.sessionId;
      showStatus();
      send(msg);
      done();
    }

    node.on('input', (msg, send, done) => {
      invoke(msg, send, done).catch((err: unknown) => {
        // Only a bug in this node gets here; still, the message must end somewhere.
        const message = t('errors.unexpected', { name: 'Error', message: String(err) });
        fail(msg, done, message, { name: 'Error', message }, 'error');
      });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      const pending = [...inFlight.values()];
      for (const abort of inFlight.keys()) abort.abort();
      if (errorTimer) clearTimeout(errorTimer);
      // Each aborted request calls its done(err) as it settles; Node-RED reports that a tick later, so wait one
      // more turn before saying the node is closed.
      Promise.all(pending).then(() => {
        setImmediate(() => {
          if (errorTimer) clearTimeout(errorTimer);
          errorTimer = undefined;
          node.status({});
          done();
        });
      });
    });
  }

  RED.nodes.registerType(INVOKE_NODE_TYPE, SageMakerInvoke);
};
