/**
 * The `sagemaker-bidi` node: messages in, parts of InvokeEndpointWithBidirectionalStream streams (one per
 * msg.topic) through the config node's HTTP/2 client, answer parts out as they come, and a completion message per
 * stream. Only the Node-RED wiring is here: the streams live in bidi/registry and bidi/stream, the operation in
 * bidi/operation (reached through bidi/connect).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { BIDI_NODE_TYPE, INVOKE_NODE_TYPE, METADATA_PROPERTY, MODULE_NAME } from '../shared/names';
import { resolveBidiSettings, type BidiDef, type BidiField } from '../shared/bidi-settings';
import { FlowError, type FlowErrorParams } from '../shared/flow-error';
import type { MappedError } from '../invoke/errors';
import { Outcome } from '../invoke/outcome';
import { NodeStatus } from '../invoke/status';
import { StreamRegistry } from '../bidi/registry';
import type { MsgLike, Totals } from '../bidi/stream';
import { connectionOf } from '../bidi/connect';
import type { SageMakerConfigNode } from './node-types';

type Words = (key: string, params?: FlowErrorParams) => string;

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
    let setupError: string | undefined;
    if (!configNode) setupError = t('errors.noConfig');
    else if (configNode.configError) setupError = t('errors.badConfig', { reason: configNode.configError });
    else if (resolved instanceof FlowError) setupError = t('errors.badSetting', { field: resolved.params.field, value: JSON.stringify(resolved.params.value ?? ''), reason: t(`errors.${resolved.key}`, resolved.params) });
    else if (!connection) setupError = t('errors.noBidiClient');
    if (setupError) node.error(setupError);

    let status: NodeStatus | undefined;
    const outcome = new Outcome({ outputProperty: 'payload', words: (key, params) => t(`errors.${key}`, params), redact, failed: (short) => status?.error(short) });
    /** A problem in words, with msg.sagemaker.error as the invoke node writes it. */
    const problemOf = (p: MappedError) => {
      const message = t(`errors.${p.key}`, p.params);
      return { message, details: { ...p.details, message: p.details.message || message }, short: p.short };
    };

    const warned = new Set<BidiField>();
    const registry =
      connection && !(resolved instanceof FlowError)
        ? new StreamRegistry({
            settings: resolved,
            timeoutMs: connection.timeoutMs,
            endpointUrl: connection.endpointUrl,
            open: connection.open,
            emit: (msg) => node.send({ _msgid: RED.util.generateId(), ...msg } as NodeMessage),
            report: (p: MappedError, lastMsg: MsgLike | undefined, totals: Totals) => {
              const problem = problemOf(p);
              status?.error(problem.short);
              const msg = lastMsg ? (RED.util.cloneMessage(lastMsg as NodeMessage) as MsgLike) : { topic: '' };
              msg[METADATA_PROPERTY] = { ...totals, error: { ...problem.details, message: redact(problem.details.message) } };
              node.error(redact(problem.message), msg as NodeMessage);
            },
            overridden: (fields) => {
              for (const field of fields.filter((f) => !warned.has(f))) {
                warned.add(field);
                node.warn(t('warnings.nooverride', { core: RED._('node-red:common.errors.nooverride'), property: field }));
              }
            },
            changed: () => status?.update(),
          })
        : undefined;
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
        if (problem) outcome.fail({ msg, done }, problemOf(problem));
        else done();
      });
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      const closing = registry?.close() ?? Promise.resolve(0);
      void closing.then((aborted) => {
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
