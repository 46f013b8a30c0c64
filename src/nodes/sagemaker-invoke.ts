/**
 * The `sagemaker-invoke` node: msg in, one of SageMaker Runtime's three operations through the config node's
 * shared client (InvokeEndpoint, InvokeEndpointWithResponseStream or InvokeEndpointAsync, as `mode` says), msg out
 * with the decoded answer and its metadata; failures to done(err) so Catch nodes see them with the msg.
 * A thin adapter: the request, body, stream, response and error logic live in src/invoke/.
 */
import { setMaxListeners } from 'node:events';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import {
  InvokeEndpointAsyncCommand,
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  type InvokeEndpointCommandInput,
  type InvokeEndpointCommandOutput,
  type InvokeEndpointWithResponseStreamCommandOutput,
} from '@aws-sdk/client-sagemaker-runtime';
import {
  BATCH_CONTENT_TYPES,
  INVOKE_DEFAULTS,
  INVOKE_LIMITS,
  INVOKE_MODES,
  INVOKE_NODE_TYPE,
  METADATA_PROPERTY,
  OUTPUT_MODES,
  OVERRIDABLE_FIELDS,
  STREAM_SPLITS,
  type BatchFormat,
  type InvokeMode,
  type OutputMode,
  type OverridableField,
  type StreamSplit,
} from '../shared/names';
import {
  buildRequest,
  getMsgProperty,
  resolveFields,
  setMsgProperty,
  validateNodeFields,
  type BuiltRequest,
  type ModeInputs,
  type NodeFieldSettings,
} from '../invoke/request';
import { decodeBody, asBuffer } from '../invoke/response';
import { asyncMetadata, invokeMetadata, streamMetadata, type Metadata } from '../invoke/metadata';
import { PartSequencer, StreamDecoder, streamSettingsError, type SequencedPart } from '../invoke/stream';
import { mapError, type ErrorDetails } from '../invoke/errors';
import { Batcher, encodeRow, groupKey, splitAnswer, type ReadyBatch, type RequestFields } from '../invoke/batch';
import { batchSettingsError } from '../invoke/batch-settings';
import { withAbortSignal } from '../config/abort-context';
import { wholeNumber } from '../shared/rules';
import { Limiter } from '../invoke/limiter';
import { Throttle } from '../invoke/throttle';
import { FlowError, type FlowErrorParams } from '../shared/flow-error';
import type { SageMakerConfigNode } from './node-types';

/** The invoke node's saved properties: text, except the limits, which the editor may save as numbers. */
type LimitKey = keyof typeof INVOKE_LIMITS;
type InvokeDef = NodeDef &
  Partial<Record<Exclude<keyof typeof INVOKE_DEFAULTS, LimitKey>, string>> &
  Partial<Record<LimitKey, string | number>>;

/** How long the last error stays in the status when nothing else is happening. */
const ERROR_STATUS_MS = 5000;

type Send = (m: NodeMessage) => void;
type Done = (err?: Error) => void;

/** One message waiting for, or holding, a place among the requests in flight. */
interface Job {
  msg: NodeMessageInFlow;
  send: Send;
  done: Done;
}

/** What the limiter admits: one message, or a batch of messages sent in one request. */
type Task = { job: Job; batch?: undefined } | { batch: ReadyBatch<Job>; job?: undefined };

/**
 * A message in flight: its job, whether it has ended, its guarded send and done (nothing more goes out once it has
 * ended), and the promise of the run that carries it (which never rejects).
 */
interface Running {
  job: Job;
  finished: boolean;
  send: Send;
  finish: Done;
  settled: Promise<void>;
}

/** The number settings' defaults, for a node whose settings are wrong (it fails every message anyway). */
const DEFAULT_NUMBERS = Object.fromEntries(
  (Object.keys(INVOKE_LIMITS) as LimitKey[]).map((key) => [key, INVOKE_DEFAULTS[key]]),
) as Record<LimitKey, number>;

/** How long close() waits for aborted calls to end their messages before ending them itself. */
const CLOSE_GRACE_MS = 1000;

/** The status changes at most this often (plus once after the last change). */
const STATUS_INTERVAL_MS = 250;

/** The node's number settings, or what is wrong with the first that is wrong (for the setup error). */
function numberSettings(def: InvokeDef): Record<LimitKey, number> | FlowError {
  try {
    const numbers = {} as Record<LimitKey, number>;
    for (const key of Object.keys(INVOKE_LIMITS) as LimitKey[]) {
      numbers[key] = wholeNumber(key, def[key], INVOKE_LIMITS[key], INVOKE_DEFAULTS[key]);
    }
    return numbers;
  } catch (err) {
    return err as FlowError;
  }
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
    const mode = (def.mode || INVOKE_DEFAULTS.mode) as InvokeMode;
    const streamSplit = (def.streamSplit || INVOKE_DEFAULTS.streamSplit) as StreamSplit;
    const batchFormat = (def.batchFormat || INVOKE_DEFAULTS.batchFormat) as BatchFormat;
    const batchKey = def.batchKey ?? INVOKE_DEFAULTS.batchKey;

    /** Words from nodes/locales/<lang>/sagemaker-invoke.json. */
    const t = (key: string, params?: FlowErrorParams): string => RED._(`${INVOKE_NODE_TYPE}.${key}`, params);
    const redact = (text: string): string => (configNode ? configNode.redact(text) : text);

    function oneOf(field: string, choices: readonly string[]): string {
      return t('errors.invalidField', { field, rule: `must be one of ${choices.join(', ')}` });
    }

    // A setup problem fails every message with the same words; found once, here.
    let setupError: string | undefined;
    if (!configNode) setupError = t('errors.noConfig');
    else if (configNode.configError) setupError = t('errors.badConfig', { reason: configNode.configError });
    else if (!OUTPUT_MODES.includes(output)) setupError = oneOf('output', OUTPUT_MODES);
    else if (!INVOKE_MODES.includes(mode)) setupError = oneOf('mode', INVOKE_MODES);
    else if (!STREAM_SPLITS.includes(streamSplit)) setupError = oneOf('streamSplit', STREAM_SPLITS);
    else {
      const fieldError = validateNodeFields(fields, mode) ?? (mode === 'stream' ? streamSettingsError(output, streamSplit) : undefined);
      if (fieldError) setupError = t(`errors.${fieldError.key}`, fieldError.params);
    }

    const limits = numberSettings(def);
    if (!setupError && limits instanceof FlowError) setupError = t(`errors.${limits.key}`, limits.params);
    const numbers = limits instanceof FlowError ? DEFAULT_NUMBERS : limits;
    if (!setupError) {
      const batchError = batchSettingsError({ mode, output, batchFormat, batchKey, ...numbers });
      if (batchError) setupError = t(`errors.${batchError.key}`, batchError.params);
    }
    const limiter = new Limiter<Task>(numbers.maxInFlight, numbers.maxQueue);
    // Batching: messages that make the same request wait (at most batchWindow ms) to share one.
    const batcher =
      !setupError && numbers.batchSize > 1
        ? new Batcher<Job>({ size: numbers.batchSize, windowMs: numbers.batchWindow, format: batchFormat, batchKey }, (batch) => {
            limiter.unhold(batch.items.length);
            admit({ batch }, batch.items.length);
          })
        : undefined;
    /** batches sent since the node started, and their messages: the status shows the mean size */
    const sent = { batches: 0, messages: 0 };

    // The shared client keeps a socket ready for each request this node may have in flight.
    const releaseSockets = !setupError && configNode ? configNode.reserveSockets(limiter.maxInFlight) : () => undefined;

    const warned = new Set<OverridableField>();
    /** each request in flight; close() waits for these (they never reject) */
    const inFlight = new Set<Running>();
    // One abort signal for every request of this node: close() aborts it, which aborts them all through the SDK.
    // (A controller per request would cost a first listener on a new signal for every message.)
    const closing = new AbortController();
    setMaxListeners(limiter.maxInFlight + 16, closing.signal);
    let lastError: { short: string; until: number } | undefined;
    let errorTimer: NodeJS.Timeout | undefined;
    let closed = false;

    const renderStatus = (): void => {
      const count = limiter.inFlight;
      const queued = limiter.queued;
      const mean = sent.batches ? (sent.messages / sent.batches).toFixed(1) : '-';
      let status: NodeStatus = {};
      if (setupError) status = { fill: 'red', shape: 'ring', text: t('status.notConfigured') };
      else if (lastError && lastError.until > Date.now()) {
        status = { fill: 'red', shape: 'ring', text: t(count ? 'status.errorBusy' : 'status.error', { code: lastError.short, count }) };
      } else if (queued) {
        status = { fill: 'yellow', shape: 'dot', text: t(batcher ? 'status.batchesQueued' : 'status.queued', { count, queued, mean }) };
      } else if (count) status = { fill: 'blue', shape: 'dot', text: t(batcher ? 'status.batches' : 'status.requesting', { count, mean }) };
      node.status(status);
    };
    // At most a few status updates a second, however many messages pass: each one goes to every open editor.
    const statusThrottle = new Throttle(STATUS_INTERVAL_MS, renderStatus);
    const showStatus = (): void => {
      if (!closed) statusThrottle.request();
    };
    renderStatus();

    /** Clears the error from the status once it is ERROR_STATUS_MS old. One timer, however many errors. */
    const expireError = (): void => {
      errorTimer = undefined;
      const left = lastError ? lastError.until - Date.now() : 0;
      if (left > 0 && !closed) errorTimer = setTimeout(expireError, left);
      else showStatus();
    };

    const fail = (msg: NodeMessageInFlow, done: Done, message: string, details: ErrorDetails, short: string, meta?: Metadata): void => {
      msg[METADATA_PROPERTY] = { ...meta, error: { ...details, message: redact(details.message) } };
      lastError = { short, until: Date.now() + ERROR_STATUS_MS };
      if (!errorTimer && !closed) errorTimer = setTimeout(expireError, ERROR_STATUS_MS);
      showStatus();
      done(new Error(redact(message)));
    };

    /**
     * What `build` makes of this msg (its request), or undefined after failing the msg (setup problem, or bad
     * input); warns once per field about a msg property the node overrides.
     */
    function prepare<R extends { overridden: OverridableField[] }>(msg: NodeMessageInFlow, done: Done, build: () => R): R | undefined {
      if (setupError || !configNode?.client || !configNode.settings) {
        const message = setupError ?? t('errors.noConfig');
        fail(msg, done, message, { name: 'ConfigurationError', message }, 'config');
        return undefined;
      }
      let request: R;
      try {
        request = build();
      } catch (err) {
        const e = err instanceof FlowError ? err : new FlowError('unexpected', { name: 'Error', message: String(err) });
        const message = t(`errors.${e.key}`, e.params);
        fail(msg, done, message, { name: 'InvalidInput', message }, 'invalid');
        return undefined;
      }
      for (const field of request.overridden) {
        if (warned.has(field)) continue;
        warned.add(field);
        node.warn(t('warnings.nooverride', { core: RED._('node-red:common.errors.nooverride'), property: field }));
      }
      return request;
    }

    /** What the SDK threw, in words, with what is known of the call for msg.sagemaker. */
    function callFailure(
      error: unknown,
      endpointName: string,
      inferenceId: string | undefined,
      started: number,
      partsReceived?: number,
    ): { message: string; details: ErrorDetails; short: string; meta: Metadata } {
      const settings = configNode?.settings;
      const mapped = mapError(error, {
        endpointName,
        timeoutMs: settings?.timeout ?? 0,
        maxAttempts: settings?.maxAttempts ?? 1,
        endpointUrl: settings?.endpointUrl,
        partsReceived,
      });
      const meta: Metadata = { endpointName };
      if (inferenceId) meta.inferenceId = inferenceId;
      if (mapped.details.requestId) meta.requestId = mapped.details.requestId;
      if (mapped.details.attempts) meta.attempts = mapped.details.attempts;
      if (partsReceived !== undefined) meta.partsReceived = partsReceived;
      meta.durationMs = Math.round(performance.now() - started);
      return { message: t(`errors.${mapped.key}`, mapped.params), details: mapped.details, short: mapped.short, meta };
    }

    /** Fails a msg with what the SDK threw (see callFailure). */
    function failCall(
      msg: NodeMessageInFlow,
      done: Done,
      error: unknown,
      endpointName: string,
      inferenceId: string | undefined,
      started: number,
      partsReceived?: number,
    ): void {
      const { message, details, short, meta } = callFailure(error, endpointName, inferenceId, started, partsReceived);
      fail(msg, done, message, details, short, meta);
    }

    /**
     * Prepares and makes one call of mode `m` (not stream: its answer keeps coming after the call returns); returns
     * what it answered, or undefined after failing the msg. The call runs under this node's abort signal.
     */
    async function callOnce<M extends 'invoke' | 'async', O>(
      m: M,
      msg: NodeMessageInFlow,
      done: Done,
      command: (client: NonNullable<SageMakerConfigNode['client']>, input: ModeInputs[M]) => Promise<O>,
    ): Promise<{ request: BuiltRequest<M>; out: O; endpointName: string; started: number } | undefined> {
      const request = prepare(msg, done, () => buildRequest(m, fields, msg, inputProperty));
      const client = configNode?.client;
      if (!request || !client) return undefined;
      const endpointName = request.input.EndpointName ?? '';
      const started = performance.now();
      try {
        const out = await withAbortSignal(closing.signal, () => command(client, request.input));
        return { request, out, endpointName, started };
      } catch (error) {
        failCall(msg, done, error, endpointName, request.input.InferenceId, started);
        return undefined;
      }
    }

    /** mode invoke: one InvokeEndpoint call, one msg out. */
    async function runInvoke(msg: NodeMessageInFlow, send: Send, done: Done): Promise<void> {
      const call = await callOnce('invoke', msg, done, (client, input) => client.send(new InvokeEndpointCommand(input)));
      if (!call) return;
      const { request, out, endpointName, started } = call;
      const meta = invokeMetadata(endpointName, request.input.InferenceId, out, performance.now() - started);
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
      followSession(msg, meta);
      send(msg);
      done();
    }

    /** msg.sessionId follows the session the answer opened, or is removed when the answer closed the msg's own. */
    function followSession(msg: NodeMessageInFlow, meta: Metadata): void {
      if (meta.newSessionId) msg.sessionId = meta.newSessionId;
      else if (meta.closedSessionId && meta.closedSessionId === msg.sessionId) delete msg.sessionId;
    }

    /**
     * mode stream: one message per part (or per line) as the parts arrive, numbered as a sequence a Join node
     * rebuilds; the last one carries `complete` and the metadata. The input msg ends when the stream does.
     */
    async function runStream(msg: NodeMessageInFlow, send: Send, done: Done): Promise<void> {
      const request = prepare(msg, done, () => buildRequest('stream', fields, msg, inputProperty));
      if (!request || !configNode?.client) return;
      // A stream has its own controller too: a line that does not parse ends this stream alone.
      const abort = new AbortController();
      const onClose = (): void => abort.abort();
      closing.signal.addEventListener('abort', onClose, { once: true });
      try {
        await streamWith(request, msg, send, done, abort);
      } finally {
        closing.signal.removeEventListener('abort', onClose);
      }
    }

    async function streamWith(
      request: BuiltRequest<'stream'>,
      msg: NodeMessageInFlow,
      send: Send,
      done: Done,
      abort: AbortController,
    ): Promise<void> {
      if (!configNode?.client) return;
      const endpointName = request.input.EndpointName ?? '';
      const inferenceId = request.input.InferenceId;
      const started = performance.now();
      let out: InvokeEndpointWithResponseStreamCommandOutput;
      try {
        const { client } = configNode;
        out = await withAbortSignal(abort.signal, () => client.send(new InvokeEndpointWithResponseStreamCommand(request.input)));
      } catch (error) {
        // The SDK reads the first event before it answers, so a stream that fails at once fails here.
        failCall(msg, done, error, endpointName, inferenceId, started, 0);
        return;
      }
      const decoder = new StreamDecoder(output, streamSplit, out.ContentType);
      const sequencer = new PartSequencer({
        id: String(msg._msgid),
        type: decoder.partsType,
        ch: decoder.joinChar,
        property: outputProperty === 'payload' ? undefined : outputProperty,
        parts: msg.parts,
      });
      const emit = (part: SequencedPart | undefined, target: NodeMessageInFlow = RED.util.cloneMessage(msg)): void => {
        if (!part) return;
        setMsgProperty(target, outputProperty, part.value);
        target.parts = part.parts as unknown as NodeMessageInFlow['parts'];
        send(target);
      };

      let received = 0;
      let firstPartMs: number | undefined;
      try {
        for await (const event of out.Body ?? []) {
          const bytes = event.PayloadPart?.Bytes;
          if (!bytes) continue; // an event type this client does not know: nothing to send
          received += 1;
          firstPartMs ??= performance.now() - started;
          for (const unit of decoder.push(bytes)) emit(sequencer.push(unit));
          if (decoder.failure) throw decoder.failure;
        }
        for (const unit of decoder.end()) emit(sequencer.push(unit));
        if (decoder.failure) throw decoder.failure;
      } catch (caught) {
        let error = caught;
        if (abort.signal.aborted) {
          // Closing the node aborted it (the socket then reports a reset): the node is going away, send nothing more.
          error = Object.assign(new Error('The stream was aborted'), { name: 'AbortError' });
        } else {
          abort.abort(); // stop reading and release the connection (a bad line ends the stream)
          emit(sequencer.flush()); // what arrived goes on
        }
        if (error instanceof FlowError) {
          const message = t(`errors.${error.key}`, error.params);
          fail(msg, done, message, { name: 'InvalidResponse', message, partsReceived: received }, 'badJson', {
            endpointName,
            partsReceived: received,
          });
        } else failCall(msg, done, error, endpointName, inferenceId, started, received);
        return;
      }
      const last = sequencer.finish();
      msg[METADATA_PROPERTY] = streamMetadata(endpointName, inferenceId, out, performance.now() - started, received, firstPartMs);
      msg.complete = true;
      emit(last, msg);
      done();
    }

    /** mode async: InvokeEndpointAsync; the answer is where it will be written. */
    async function runAsync(msg: NodeMessageInFlow, send: Send, done: Done): Promise<void> {
      const call = await callOnce('async', msg, done, (client, input) => client.send(new InvokeEndpointAsyncCommand(input)));
      if (!call) return;
      const { out, endpointName, started } = call;
      const meta = asyncMetadata(endpointName, out, performance.now() - started);
      setMsgProperty(msg, outputProperty, {
        inferenceId: out.InferenceId,
        outputLocation: out.OutputLocation,
        failureLocation: out.FailureLocation,
      });
      msg[METADATA_PROPERTY] = meta;
      send(msg);
      done();
    }

    const run = { invoke: runInvoke, stream: runStream, async: runAsync }[INVOKE_MODES.includes(mode) ? mode : 'invoke'];

    /**
     * mode invoke with batching: one InvokeEndpoint call carries the batch; each message leaves on its own with its
     * own result, in the order the messages came in, or the whole batch fails, each message with the reason.
     */
    async function runBatch(batch: ReadyBatch<Job>, runs: Running[]): Promise<void> {
      const size = runs.length;
      const input = { ...batch.fields, Body: batch.body } as InvokeEndpointCommandInput;
      const endpointName = input.EndpointName ?? '';
      /** msg.sagemaker of the message at `index`: the call's metadata, and the message's place in the batch. */
      const forMessage = (meta: Metadata, index: number): Metadata => ({
        ...meta,
        batch: { size, index, ...(meta.requestId ? { requestId: meta.requestId } : {}) },
      });
      /** Fails every message of the batch with the reason, each through its own done(err). */
      const failEach = (reason: string, details: ErrorDetails, short: string, meta: Metadata): void => {
        const message = t('errors.batchFailed', { reason, size });
        runs.forEach((r, index) => fail(r.job.msg, r.finish, message, details, short, forMessage(meta, index)));
      };
      const client = configNode?.client;
      if (!client) throw new Error('the config node has no client'); // prepare() let none of these messages in without one
      sent.batches += 1;
      sent.messages += size;
      const started = performance.now();
      let out: InvokeEndpointCommandOutput;
      try {
        out = await withAbortSignal(closing.signal, () => client.send(new InvokeEndpointCommand(input)));
      } catch (error) {
        const failure = callFailure(error, endpointName, input.InferenceId, started);
        failEach(failure.message, failure.details, failure.short, failure.meta);
        return;
      }
      const meta = invokeMetadata(endpointName, input.InferenceId, out, performance.now() - started);
      let results: unknown[];
      try {
        results = splitAnswer(out.Body, out.ContentType, size, { output, format: batchFormat, batchKey });
      } catch (err) {
        const e = err instanceof FlowError ? err : new FlowError('unexpected', { name: 'Error', message: String(err) });
        const reason = t(`errors.${e.key}`, { ...e.params, endpoint: endpointName });
        failEach(reason, { name: 'InvalidResponse', message: reason }, 'bad answer', { ...meta, rawBody: asBuffer(out.Body ?? new Uint8Array(0)) });
        return;
      }
      runs.forEach((r, index) => {
        const msg = r.job.msg;
        setMsgProperty(msg, outputProperty, results[index]);
        msg[METADATA_PROPERTY] = forMessage(meta, index);
        followSession(msg, meta);
        r.send(msg);
        r.finish();
      });
    }

    const jobsOf = (task: Task): Job[] => (task.batch ? task.batch.items : [task.job]);

    /** A job guarded so that it ends once (close() may end it first) and nothing more of it goes out after. */
    function guard(job: Job): Running {
      const running: Running = {
        job,
        finished: false,
        settled: Promise.resolve(),
        send: (m) => {
          if (!running.finished) job.send(m);
        },
        finish: (err) => {
          if (running.finished) return;
          running.finished = true;
          job.done(err);
        },
      };
      return running;
    }

    /** Starts a task the limiter admitted; when it ends, the next queued task starts in its place. */
    function start(task: Task): void {
      const runs = jobsOf(task).map(guard);
      const work = task.batch ? runBatch(task.batch, runs) : run(runs[0].job.msg, runs[0].send, runs[0].finish);
      const settled = work.catch((err: unknown) => {
        // Only a bug in this node gets here; still, each message must end somewhere.
        const message = t('errors.unexpected', { name: 'Error', message: String(err) });
        for (const r of runs) fail(r.job.msg, r.finish, message, { name: 'UnknownError', message }, 'error');
      });
      for (const r of runs) {
        r.settled = settled;
        inFlight.add(r);
      }
      void settled.then(() => {
        for (const r of runs) inFlight.delete(r);
        const next = limiter.release();
        if (next) start(next);
        showStatus();
      });
    }

    /** Hands a task of `weight` messages to the limiter: it starts now, waits in the queue, or fails at once. */
    function admit(task: Task, weight: number): void {
      const admission = limiter.submit(task, weight);
      if (admission === 'start') start(task);
      else if (admission === 'full') for (const job of jobsOf(task)) failQueueFull(job);
    }

    function failQueueFull(job: Job): void {
      const message = t('errors.queueFull', {
        inFlight: limiter.inFlight,
        queued: limiter.queued,
        maxInFlight: limiter.maxInFlight,
        maxQueue: limiter.maxQueue,
      });
      fail(job.msg, job.done, message, { name: 'QueueFull', message }, 'queue full');
    }

    /**
     * With batching: checks the msg and puts its piece into the open batch of its request (which may send that
     * batch). A msg in a session goes alone and at once, still in the batch format.
     */
    function addToBatch(b: Batcher<Job>, job: Job): void {
      const { msg } = job;
      const prepared = prepare(msg, job.done, () => ({
        ...resolveFields('invoke', fields, msg),
        piece: encodeRow(batchFormat, getMsgProperty(msg, inputProperty), inputProperty),
      }));
      if (!prepared) return;
      const request = { ...prepared.input } as RequestFields;
      request.ContentType ??= BATCH_CONTENT_TYPES[batchFormat];
      try {
        if (request.SessionId !== undefined) {
          admit({ batch: b.single(request, job, prepared.piece, inputProperty) }, 1);
          return;
        }
        if (!limiter.canHold(1)) {
          failQueueFull(job);
          return;
        }
        limiter.hold(1);
        try {
          b.add(groupKey(request), request, job, prepared.piece, inputProperty);
        } catch (err) {
          limiter.unhold(1); // add() kept nothing
          throw err;
        }
      } catch (err) {
        const e = err as FlowError;
        const message = t(`errors.${e.key}`, e.params);
        fail(msg, job.done, message, { name: 'InvalidInput', message }, 'invalid');
      }
    }

    node.on('input', (msg, send, done) => {
      const job: Job = { msg, send, done };
      if (batcher) addToBatch(batcher, job);
      else admit({ job }, 1);
      showStatus();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      // Messages in batches still filling, and queued messages, were never sent: each fails now. Requests in flight
      // are aborted and end as they settle.
      for (const items of batcher?.drain() ?? []) {
        limiter.unhold(items.length);
        const message = t('errors.closedBatch');
        for (const job of items) fail(job.msg, job.done, message, { name: 'AbortError', message }, 'closed');
      }
      for (const task of limiter.drain()) {
        const message = t('errors.closedQueued');
        for (const job of jobsOf(task)) fail(job.msg, job.done, message, { name: 'AbortError', message }, 'closed');
      }
      closed = true;
      releaseSockets();
      statusThrottle.cancel();
      if (errorTimer) clearTimeout(errorTimer);
      errorTimer = undefined;
      const pending = [...inFlight];
      closing.abort();
      // An aborted request ends its message (done(err)) as it settles, at once for a request on the wire. A call
      // waiting between two attempts (the SDK's retry backoff) only sees the abort at its next attempt: such a
      // message is ended here after CLOSE_GRACE_MS, so close never waits for a backoff.
      let grace: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        grace = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      void Promise.race([Promise.all(pending.map((r) => r.settled)), graceOver]).then(() => {
        clearTimeout(grace);
        for (const r of pending) {
          if (r.finished) continue;
          const message = t('errors.aborted', { endpoint: fields.endpointName || String(r.job.msg.endpointName ?? '') });
          fail(r.job.msg, r.finish, message, { name: 'AbortError', message }, 'closed');
        }
        // Node-RED reports each done(err) a tick later, so wait one more turn before saying the node is closed.
        setImmediate(() => {
          statusThrottle.cancel();
          node.status({});
          done();
        });
      });
    });
  }

  RED.nodes.registerType(INVOKE_NODE_TYPE, SageMakerInvoke);
};
