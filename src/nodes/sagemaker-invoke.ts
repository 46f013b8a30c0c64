/**
 * The `sagemaker-invoke` node: msg in, one of SageMaker Runtime's three operations through the config node's
 * shared client, msg out with the decoded answer and its metadata; failures to done(err) so Catch nodes see them.
 *
 * Only the Node-RED wiring is here. A message goes one way: its request is built and checked (invoke/prepare) before
 * it takes any place, then the dispatcher (invoke/dispatch) queues or batches it, the mode's runner
 * (invoke/modes) makes the one call (invoke/call), and the outcome (invoke/outcome) writes the msg and ends it.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { INVOKE_NODE_TYPE } from '../shared/names';
import { INVOKE_MODES, type OverridableField } from '../shared/fields';
import { resolveInvokeSettings, type InvokeDef, type InvokeSettings, type MsgFilledSetting } from '../shared/invoke-settings';
import { FlowError, type FlowErrorParams } from '../shared/flow-error';
import { FlowErrors } from '../shared/problems';
import { Dispatcher } from '../invoke/dispatch';
import { modeHandlers } from '../invoke/modes';
import { Outcome } from '../invoke/outcome';
import { NodeStatus } from '../invoke/status';
import { prepareRequest, type InvokeRequest } from '../invoke/prepare';
import type { CallObserver, Connection } from '../invoke/call';
import { WaitGroup } from '../invoke/async/wait-group';
import type { SageMakerConfigNode } from './node-types';
import { liveRegistry } from '../stats/registry';
import { callObserver, outcomeObserver } from '../stats/hooks';

type Words = (key: string, params?: FlowErrorParams) => string;

/** The config node's client and the settings a call quotes, or undefined while it has no client. */
function connectionOf(configNode: SageMakerConfigNode | null, observer?: CallObserver): Connection | undefined {
  const client = configNode?.client;
  const config = configNode?.settings;
  if (!client || !config) return undefined;
  return { client, timeoutMs: config.timeout, maxAttempts: config.maxAttempts, endpointUrl: config.endpointUrl, observer };
}

/** Why no message can be sent (no config node, a broken one, or the node's own settings), in words; or undefined. */
function setupProblem(t: Words, configNode: SageMakerConfigNode | null, resolved: InvokeSettings | FlowError): string | undefined {
  if (!configNode) return t('errors.noConfig');
  if (configNode.configError) return t('errors.badConfig', { reason: configNode.configError });
  if (resolved instanceof FlowError) return badSetting(t, resolved);
  return undefined;
}

/** A bad setting in words; one about a value set on the node names the field and that value. Several: each, with "; ". */
function badSetting(t: Words, err: FlowError): string {
  if (err instanceof FlowErrors) return err.errors.map((e) => badSetting(t, e)).join('; ');
  const reason = t(`errors.${err.key}`, err.params);
  if (err.params.value === undefined) return reason;
  const value = JSON.stringify(String(err.params.value));
  return t('errors.badSetting', { field: err.params.field, value: value.length > 80 ? `${value.slice(0, 77)}...` : value, reason });
}

/** The dispatcher of a node whose settings are good: the mode's runners, and where each message it ends goes. */
function dispatcherFor(
  RED: NodeAPI,
  settings: InvokeSettings,
  outcome: Outcome,
  configNode: SageMakerConfigNode | null,
  changed: () => void,
  waits: WaitGroup | undefined,
  observer: CallObserver,
) {
  const endpoint = (msg: Record<string, unknown>): string => settings.fields.endpointName || String(msg.endpointName ?? '');
  const { maxInFlight, maxQueue, batchSize, batchWindow, batchFormat, batchKey } = settings;
  // onUnreachable hold: each message may wait for the network until its holdTimeout (node, msg, or 300 s).
  const hold = settings.onUnreachable === 'hold' ? { timeoutMs: (job: { request: unknown }) => (job.request as InvokeRequest).holdMs ?? 0 } : undefined;
  return new Dispatcher<InvokeRequest>(
    { maxInFlight, maxQueue, batch: { size: batchSize, windowMs: batchWindow, format: batchFormat, batchKey }, hold },
    {
      ...modeHandlers({
        settings,
        outcome,
        connection: () => connectionOf(configNode, observer),
        clone: (msg) => RED.util.cloneMessage(msg as NodeMessage),
        waits,
      }),
      full: (job, counts) => outcome.fail(job, outcome.problem('QueueFull', 'queue full', 'queueFull', { ...counts })),
      ended: (message, why, error) => outcome.fail(message, outcome.notSent(why, endpoint(message.msg), error)),
      expired: (message, problem) => outcome.fail(message, { ...problem, unreachable: false }),
      changed,
    },
  );
}

/** Warns once per field about msg properties the node overrides (core's "nooverride" words). */
type Overridable = OverridableField | MsgFilledSetting;
function overrideWarner(RED: NodeAPI, node: Node, t: Words): (fields: Overridable[]) => void {
  const warned = new Set<Overridable>();
  return (fields) => {
    for (const field of fields.filter((f) => !warned.has(f))) {
      warned.add(field);
      node.warn(t('warnings.nooverride', { core: RED._('node-red:common.errors.nooverride'), property: field }));
    }
  };
}

/** What a closing invoke node releases. */
interface InvokeParts {
  dispatcher?: Dispatcher<InvokeRequest>;
  waits?: WaitGroup;
  releaseSockets(): void;
  status?: NodeStatus;
}

/**
 * Closing: messages not yet sent fail now, requests in flight are aborted and end as they settle (Dispatcher.close),
 * messages waiting for async results end now naming where their result will be written; one warning says what
 * became of the messages that were not answered, since after a redeploy the flow's Catch nodes are gone.
 */
function closeInvoke(node: Node, t: Words, parts: InvokeParts, done: () => void): void {
  const { dispatcher, waits, status } = parts;
  const closing = dispatcher?.close() ?? Promise.resolve(undefined);
  const waited = waits?.closeAll() ?? 0;
  if (waited > 0) node.warn(t('warnings.closedWaiting', { count: waited }));
  parts.releaseSockets();
  status?.close();
  void closing.then((report) => {
    const total = report ? report.queued + report.batching + report.inFlight + (report.held ?? 0) : 0;
    if (report && total > 0) node.warn(t(report.held ? 'warnings.closedHeld' : 'warnings.closedUnanswered', { ...report, total }));
    // Node-RED reports each done(err) a tick later, so wait one more turn before saying the node is closed.
    setImmediate(() => {
      status?.close(true);
      done();
    });
  });
}

export = function register(RED: NodeAPI): void {
  function SageMakerInvoke(this: Node, def: NodeDef & InvokeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const configNode = RED.nodes.getNode(String(def.config ?? '')) as SageMakerConfigNode | null;
    /** Words from nodes/locales/<lang>/sagemaker-invoke.json. */
    const t: Words = (key, params) => RED._(`${INVOKE_NODE_TYPE}.${key}`, params);

    // A setup problem fails every message with the same words; found once, here.
    const resolved = resolveInvokeSettings(def);
    const setupError = setupProblem(t, configNode, resolved);
    const settings = resolved instanceof FlowError || setupError ? undefined : resolved;
    // Said once when the flow starts too, since no message may come to show it.
    if (resolved instanceof FlowError && setupError) node.error(setupError);

    let status: NodeStatus | undefined;
    // The live figures (sidebar "SageMaker", GET sagemaker-runtime/stats); the gauges are read when they are taken.
    // A node that cannot send (no config node, say) still shows its own mode and endpoint, as its dialog says them.
    const known = resolved instanceof FlowError ? undefined : resolved;
    const mode = known?.mode ?? (INVOKE_MODES.find((m) => m === def.mode) ?? 'invoke');
    const live = { id: node.id, type: INVOKE_NODE_TYPE, name: def.name ?? '', flow: node.z ?? '', endpoint: known?.fields.endpointName ?? String(def.endpointName ?? '') };
    const figures = liveRegistry.add({ ...live, mode }, () => {
      const counts = dispatcher?.counts();
      return { inFlight: counts?.inFlight ?? 0, queued: counts?.queued ?? 0, waiting: waits?.waitingCount ?? 0, streams: 0 };
    });
    const outcome = new Outcome({
      outputProperty: settings?.outputProperty ?? '',
      words: (key, params) => t(`errors.${key}`, params),
      redact: (text) => (configNode ? configNode.redact(text) : text),
      failed: (short) => status?.error(short),
      observer: outcomeObserver(figures),
    });
    // Mode async: the messages waiting for their results (or uploading) on the config node's shared S3 poller.
    const waits = settings?.mode === 'async' ? new WaitGroup(settings.maxWaiting, () => configNode?.asyncResults, () => status?.update()) : undefined;
    const dispatcher = settings && dispatcherFor(RED, settings, outcome, configNode, () => status?.update(), waits, callObserver(figures));
    status = new NodeStatus({
      show: (s) => node.status(s),
      words: (key, params) => t(`status.${key}`, params),
      counts: () => ({ ...(dispatcher?.counts() ?? { inFlight: 0, queued: 0 }), waiting: waits?.waitingCount }),
      notConfigured: setupError !== undefined,
    });
    // The shared client keeps a socket ready for each request this node may have in flight.
    const releaseSockets = settings && configNode ? configNode.reserveSockets(settings.maxInFlight) : () => undefined;

    const warnOverridden = overrideWarner(RED, node, t);

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      const connection = connectionOf(configNode);
      if (!settings || !dispatcher || !connection) {
        return outcome.fail({ msg, done }, outcome.notConfigured(setupError));
      }
      let prepared;
      try {
        prepared = prepareRequest(settings, msg, dispatcher.batching, connection.timeoutMs);
      } catch (err) {
        return outcome.fail({ msg, done }, outcome.invalid(err));
      }
      warnOverridden(prepared.overridden);
      // With asyncResult wait a message counts against maxWaiting from now until it ends.
      const counted = settings.asyncResult === 'wait' && waits ? waits.admit(done) : done;
      if (!counted) {
        return outcome.fail({ msg, done }, outcome.problem('QueueFull', 'waiting full', 'waitingFull', { maxWaiting: settings.maxWaiting }));
      }
      const job = { msg, send: send as (m: Record<string, unknown>) => void, done: counted, request: prepared.request };
      if (prepared.piece) dispatcher.join(job, prepared.piece);
      else dispatcher.submit(job);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      liveRegistry.remove(node.id, figures);
      closeInvoke(node, t, { dispatcher, waits, releaseSockets, status }, done);
    });
  }

  RED.nodes.registerType(INVOKE_NODE_TYPE, SageMakerInvoke);
};
