/**
 * The chained signatures of a bidirectional stream's input events (SigV4 "event stream" signing, as
 * @aws-sdk/eventstream-handler-node writes them). Each input message is an envelope whose headers are `:date`
 * (timestamp) and `:chunk-signature` (32 bytes) and whose payload is the inner event message, encoded. Its signature is
 *
 *   HMAC(signingKey(day), "AWS4-HMAC-SHA256-PAYLOAD\n" + isoBasic(:date) + "\n" + day/region/service/aws4_request
 *        + "\n" + priorSignatureHex + "\n" + sha256hex(encoded :date header) + "\n" + sha256hex(payload))
 *
 * and the first prior signature is the request's own Authorization signature. An envelope with an empty payload
 * ends the input. Checked here with node:crypto only, so the server stays an independent oracle of the signer.
 */

import { timingSafeEqual } from 'crypto';
import { encodeHeaders, type EventMessage } from '../io/event-codec';
import { credentialScope, hmac, sha256Hex, signingKey } from './sigv4';

const EVENT_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
/** Allowed distance between an event's `:date` and the server's clock, as for the request itself. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The SigV4 signing key of a secret for a day (YYYYMMDD), region and service: the request signer's own. */
export const deriveSigningKey = signingKey;

/** `2024-01-02T03:04:05.678Z` → `20240102T030405Z` (the signer drops the milliseconds). */
export function isoBasic(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

interface EventKey {
  secretAccessKey: string;
  region: string;
  service: string;
}

/** The signature over one event with the day's signing key, given the prior signature. */
function signEvent(key: EventKey, dayKey: Buffer, date: Date, priorSignatureHex: string, payload: Uint8Array): string {
  const longDate = isoBasic(date);
  const scope = credentialScope(longDate.slice(0, 8), key.region, key.service);
  const dateHeader = encodeHeaders({ ':date': { type: 'timestamp', value: date } });
  const stringToSign = [EVENT_ALGORITHM, longDate, scope, priorSignatureHex, sha256Hex(dateHeader), sha256Hex(payload)].join('\n');
  return hmac(dayKey, stringToSign).toString('hex');
}

/** An input envelope that checked out: its inner message bytes (empty for the end-of-input envelope). */
export interface VerifiedEnvelope {
  payload: Uint8Array;
  end: boolean;
}

/** Why an envelope was refused. */
export class EventSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventSignatureError';
  }
}

/** The signature over one event, given the prior one. Exported for tests and for anyone signing by hand. */
export function eventSignature(key: EventKey, date: Date, priorSignatureHex: string, payload: Uint8Array): string {
  const day = isoBasic(date).slice(0, 8);
  return signEvent(key, signingKey(key.secretAccessKey, day, key.region, key.service), date, priorSignatureHex, payload);
}

/**
 * Verifies a stream's envelopes in order, each against the signature before it. Throws EventSignatureError for an
 * envelope that is malformed, out of date or wrongly signed; the stream cannot go on after that.
 */
export class EventSignatureChain {
  private prior: string;
  private readonly keys = new Map<string, Buffer>();
  private ended = false;

  constructor(
    private readonly key: EventKey,
    requestSignatureHex: string,
    private readonly now: () => number = Date.now,
  ) {
    this.prior = requestSignatureHex.toLowerCase();
  }

  verify(envelope: EventMessage): VerifiedEnvelope {
    if (this.ended) throw new EventSignatureError('An event arrived after the signed end of the input stream.');
    const date = envelope.headers[':date'];
    const signature = envelope.headers[':chunk-signature'];
    if (date?.type !== 'timestamp' || signature?.type !== 'binary' || signature.value.length !== 32) {
      throw new EventSignatureError("Each input event must be signed: ':date' (timestamp) and ':chunk-signature' (32 bytes) headers are required.");
    }
    const skew = date.value.getTime() - this.now();
    if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
      throw new EventSignatureError(`Signature expired: the event's :date ${isoBasic(date.value)} is more than 5 minutes from the server's time.`);
    }
    const expected = Buffer.from(this.sign(date.value, envelope.body), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature.value))) {
      throw new EventSignatureError(
        'The event signature we calculated does not match the signature you provided. Each event must be signed with the signature of the one before it (the first with the request signature).',
      );
    }
    this.prior = expected.toString('hex');
    this.ended = envelope.body.length === 0;
    return { payload: envelope.body, end: this.ended };
  }

  private sign(date: Date, payload: Uint8Array): string {
    const day = isoBasic(date).slice(0, 8);
    let dayKey = this.keys.get(day);
    if (!dayKey) {
      dayKey = signingKey(this.key.secretAccessKey, day, this.key.region, this.key.service);
      this.keys.clear();
      this.keys.set(day, dayKey);
    }
    return signEvent(this.key, dayKey, date, this.prior, payload);
  }
}
