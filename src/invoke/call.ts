/**
 * The one path to the service: one `client.send` under an abort signal, timed, and what it throws mapped to words
 * (a locale key and parameters) and the `msg.sagemaker` metadata of a failure. Every mode (invoke, async, stream,
 * batch) calls through here; a new operation (a bidirectional stream, say) is one more command to send.
 *
 * The abort signal and a message's own request timeout travel by AsyncLocalStorage (config/abort-context), not as
 * per-call options: options passed to client.send() turn off the SDK's middleware cache (README, Performance).
 * No Node-RED import.
 */
import type {
  SageMakerRuntimeClient,
  SageMakerRuntimeClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes,
} from '@aws-sdk/client-sagemaker-runtime';
import type { Command } from '@smithy/types';
import { withAbortSignal } from '../config/abort-context';
import type { FlowErrorParams } from '../shared/flow-error';
import { isUnreachable, mapError, type ErrorDetails } from './errors';
import { failureMetadata, type Metadata } from './metadata';

/** What a call needs of the config node: its client and the settings that words about failures quote. */
export interface Connection {
  client: SageMakerRuntimeClient;
  /** the per-attempt timeout in ms */
  timeoutMs: number;
  maxAttempts: number;
  endpointUrl?: string;
  /** told of each call as it is sent (its body's bytes) and of the answer bytes read (the live figures) */
  observer?: CallObserver;
}

/** What a call tells as it goes: a request sent with its body's size, answer bytes read. */
export interface CallObserver {
  request(bytesOut: number): void;
  received(bytes: number): void;
}

/** The size of a request or answer body as the SDK holds it (bytes or a string), else 0. */
function sizeOf(body: unknown): number {
  if (body instanceof Uint8Array) return body.byteLength;
  return typeof body === 'string' ? Buffer.byteLength(body) : 0;
}

/** A call that failed: the words (locale key and parameters), msg.sagemaker.error, a short status code, the metadata. */
export interface Failure {
  key: string;
  params: FlowErrorParams;
  details: ErrorDetails;
  short: string;
  meta: Metadata;
  /** SageMaker could not be reached (see errors.isUnreachable): with onUnreachable hold, the message waits */
  unreachable?: boolean;
}

export type SdkCommand<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Command<
  ServiceInputTypes,
  I,
  ServiceOutputTypes,
  O,
  SageMakerRuntimeClientResolvedConfig
>;

/** The answer of a call, or why there is none. */
export type CallResult<O> = { ok: true; out: O } | { ok: false; failure: Failure };

/** One request to one endpoint: started when made, so its duration counts from here. */
export class Call {
  private readonly started = performance.now();

  /**
   * @param requestTimeout this call's per-attempt timeout in ms (msg.requestTimeout), instead of the config node's
   */
  constructor(
    private readonly connection: Connection,
    readonly endpointName: string,
    readonly inferenceId: string | undefined,
    private readonly requestTimeout?: number,
  ) {}

  /** Milliseconds since the call was made. */
  get elapsedMs(): number {
    return performance.now() - this.started;
  }

  /**
   * Sends the command; every HTTP request it makes is aborted when `signal` fires. Never rejects.
   * @param partsReceived for a stream, which can fail before its first part: 0
   */
  async send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: SdkCommand<I, O>,
    signal: AbortSignal,
    partsReceived?: number,
  ): Promise<CallResult<O>> {
    const { client, observer } = this.connection;
    observer?.request(sizeOf((command.input as { Body?: unknown }).Body));
    try {
      const out = await withAbortSignal(signal, () => client.send(command), this.requestTimeout);
      observer?.received(sizeOf((out as { Body?: unknown }).Body));
      return { ok: true, out };
    } catch (error) {
      return { ok: false, failure: this.failure(error, partsReceived) };
    }
  }

  /** Answer bytes read after the call answered (the parts of a stream), for the live figures. */
  received(bytes: number): void {
    this.connection.observer?.received(bytes);
  }

  /**
   * What `error` (thrown by the SDK, or by reading a stream) means, with what is known of the call.
   * @param midStream thrown while reading a stream's parts, after the service answered
   */
  failure(error: unknown, partsReceived?: number, midStream?: boolean): Failure {
    const { maxAttempts, endpointUrl } = this.connection;
    const timeoutMs = this.requestTimeout ?? this.connection.timeoutMs;
    const timeoutFromMsg = this.requestTimeout !== undefined;
    const mapped = mapError(error, { endpointName: this.endpointName, timeoutMs, timeoutFromMsg, maxAttempts, endpointUrl, partsReceived, midStream });
    const meta = failureMetadata(this.endpointName, this.inferenceId, mapped.details, this.elapsedMs, partsReceived);
    return { key: mapped.key, params: mapped.params, details: mapped.details, short: mapped.short, meta, unreachable: isUnreachable(mapped) };
  }
}
