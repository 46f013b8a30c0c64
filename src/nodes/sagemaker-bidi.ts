/**
 * The `sagemaker-bidi` node: messages in, parts of InvokeEndpointWithBidirectionalStream streams (one per
 * msg.topic) through the config node's HTTP/2 client, answer parts out as they come, and a completion message per
 * stream. Only the Node-RED wiring is here: the streams live in bidi/registry and bidi/stream, the operation in
 * bidi/operation (reached through bidi/connect).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { BIDI_NODE_TYPE, INVOKE_NODE_TYPE, METADATA_PROPERTY, MODULE_NAME } from '../shared/names';
import { resolveBidiSettings, type BidiDef, type BidiField, type BidiSettings } from '../shared/bidi-settings';
import { FlowError, type FlowErrorParams } from '../shared/flow-error';
import { FlowErrors } from '../shared/problems';
import type { MappedError } from '../invoke/errors';
import { Outcome } from '../invoke/outcome';
import { NodeStatus } from '../invoke/status';
import { StreamRegistry } from '../bidi/registry';
import type { MsgLike, Totals } from '../bidi/stream';
import { connectionOf, type BidiConnection } from '../bidi/connect';
import type { SageMakerConfigNode } from './node-types';
import { liveRegistry } from '../stats/registry';
import { outcomeObserver, streamObserver } from '../stats/hooks';
import type { NodeFigures } from '../stats/figures';

type Words = (key: string, params?: FlowErrorParams) => string;

/** Why no stream can open (no config node, a broken one, the node's own settings), in words; or undefined. */
function setupProblem(t: Words, configNode: SageMakerConfigNode | null, resolved: BidiSettings | FlowError, connection: BidiConnection | undefined): string | undefined {
  if (!configNode) return t('errors.noConfig');
  if (configNode.configError) return t('errors.badConfig', { reason: configNode.configError });
  if (resolved instanceof FlowError) {
    // Every bad setting at once, each with its value, separated by "; ".
    return (resolved instanceof FlowErrors ? resolved.errors : [resolved])
      .map((e) => t('errors.badSetting', { field: e.params.field, value: JSON.stringify(e.params.value ?? ''), reason: t(`errors.${e.key}`, e.params) }))
      .join('; ');
  }
  if (!connection) return t('errors.noBidiClient');
  return undefined;
}

/** What the registry needs from the node: where answers go, how failures are reported and warned about. */
interface NodeSide {
  RED: NodeAPI;
  node: Node;
  t: Words;
  redact(text: string): string;
  problemOf(p: MappedError): { message: string; details: MappedError['details']; short: string };
  status(): NodeStatus | undefined;
  figures: NodeFigures;
}

function registryFor(side: NodeSide, settings: BidiSettings, connection: BidiConnection): StreamRegistry {
  const { RED, node, t, redact, problemOf, figures } = side;
  const warned = new Set<BidiField>();
  return new StreamRegistry({
    settings,
    timeoutMs: connection.timeoutMs,
    endpointUrl: connection.endpointUrl,
    open: connection.open,
    emit: (msg) => node.send({ _msgid: RED.util.generateId(), ...msg } as NodeMessage),
    // A failure after parts were handed over: the stream's last input message (already done) carries it to Catch.
    report: (p: MappedError, lastMsg: MsgLike | undefined, totals: Totals) => {
      const problem = problemOf(p);
      figures.failed(problem.details.name, redact(problem.message));
      side.status()?.error(problem.short);
      const msg = lastMsg ? (RED.util.cloneMessage(lastMsg as NodeMessage) as MsgLike) : {};
      msg[METADATA_PROPERTY] = { ...totals, error: { ...problem.details, message: redact(problem.details.message) } };
      node.error(redact(problem.message), msg as NodeMessage);
    },
    overridden: (fields) => {
      for (const field of fields.filter((f) => !warned.has(f))) {
        warned.add(field);
        node.warn(t('warnings.nooverride', { core: RED._('node-red:common.errors.nooverride'), property: field }));
      }
    },
    changed: () => side.status()?.update(),
    observer: streamObserver(figures),
  });
}

export = function register(RED: NodeAPI): void {
  function SageMakerBidi(this: Node, def: NodeDef & BidiDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const configNode = RED.nodes.getNode(String(def.config ?? '')) as SageMakerConfigNode | null;
    const own = (key: string): string => `${BIDI_NODE_TYPE}.${key}`;
    /** Words from this node's locale file, else the invoke node's (the error words both nodes share). */
    const t: Words = (key, params) => {
      const mine = RED._(own(key), params);
      return mine !== own(key) ? mine : RED._(`${MODULE_NAME}/${INVOKE_NODE_TYPE}:${INVOKE_NODE_TYPE}.${key}`, params);
    };
    const redact = (text: string): string => (configNode ? configNode.redact(text) : text);

    const resolved = resolveBidiSettings(def);
    const connection = resolved instanceof FlowError ? undefined : connectionOf(configNode);
    const setupError = setupProblem(t, configNode, resolved, connection);
    if (setupError) node.error(setupError);

    let status: NodeStatus | undefined;
    // The live figures (sidebar "SageMaker", GET sagemaker-runtime/stats); the gauges are read when they are taken.
    const endpoint = resolved instanceof FlowError ? '' : resolved.fields.endpointName;
    const figures = liveRegistry.add({ id: node.id, type: BIDI_NODE_TYPE, name: def.name ?? '', flow: node.z ?? '', endpoint, mode: 'bidi' }, () => {
      const c = registry?.counts() ?? { streams: 0, waiting: 0 };
      return { inFlight: 0, queued: c.waiting, waiting: 0, streams: c.streams };
    });
    const observer = outcomeObserver(figures);
    const outcome = new Outcome({ outputProperty: 'payload', words: (key, params) => t(`errors.${key}`, params), redact, failed: (short) => status?.error(short), observer });
    /** A problem in words, with msg.sagemaker.error as the invoke node writes it. */
    const problemOf = (p: MappedError) => {
      const message = t(`errors.${p.key}`, p.params);
      return { message, details: { ...p.details, message: p.details.message || message }, short: p.short };
    };
    const side: NodeSide = { RED, node, t, redact, problemOf, status: () => status, figures };
    const registry = connection && !setupError && !(resolved instanceof FlowError) ? registryFor(side, resolved, connection) : undefined;
    status = new NodeStatus({
      show: (s) => node.status(s),
      words: (key, params) => t(`status.${key}`, params),
      counts: () => {
        const c = registry?.counts() ?? { streams: 0, waiting: 0 };
        return { inFlight: c.streams, queued: c.waiting };
      },
      notConfigured: setupError !== undefined,
    });

    node.on('input', (msg: NodeMessageInFlow, _send, done) => {
      if (!registry) return outcome.fail({ msg, done }, outcome.notConfigured(setupError));
      registry.input(msg as MsgLike, (problem) => {
        if (problem) return outcome.fail({ msg, done }, problemOf(problem));
        figures.ended();
        done();
      });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      liveRegistry.remove(node.id, figures);
      void (registry?.close() ?? Promise.resolve(0)).then((aborted) => {
        if (aborted > 0) node.warn(t('warnings.closedStreams', { count: aborted }));
        status?.close();
        // Node-RED reports each done(err) a tick later: wait one more turn before saying the node is closed.
        setImmediate(() => {
          status?.close(true);
          done();
        });
      });
    });
  }

  RED.nodes.registerType(BIDI_NODE_TYPE, SageMakerBidi);
};
