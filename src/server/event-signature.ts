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

import { createHash, createHmac, timingSafeEqual } from 'crypto';
import { encodeHeaders, type EventMessage } from './event-codec';

const EVENT_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
/** Allowed distance between an event's `:date` and the server's clock, as for the request itself. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The SigV4 signing key of a secret for a day (YYYYMMDD), region and service. */
export function deriveSigningKey(secretAccessKey: string, day: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(day).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/** `2024-01-02T03:04:05.678Z` → `20240102T030405Z` (the signer drops the milliseconds). */
export function isoBasic(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

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
export function eventSignature(
  key: { secretAccessKey: string; region: string; service: string },
  date: Date,
  priorSignatureHex: string,
  payload: Uint8Array,
): string {
  const longDate = isoBasic(date);
  const day = longDate.slice(0, 8);
  const scope = `${day}/${key.region}/${key.service}/aws4_request`;
  const dateHeader = encodeHeaders({ ':date': { type: 'timestamp', value: date } });
  const stringToSign = [EVENT_ALGORITHM, longDate, scope, priorSignatureHex, sha256Hex(dateHeader), sha256Hex(payload)].join('\n');
  const signingKey = deriveSigningKey(key.secretAccessKey, day, key.region, key.service);
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
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
    private readonly key: { secretAccessKey: string; region: string; service: string },
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
    const longDate = isoBasic(date);
    const day = longDate.slice(0, 8);
    let signingKey = this.keys.get(day);
    if (!signingKey) {
      signingKey = deriveSigningKey(this.key.secretAccessKey, day, this.key.region, this.key.service);
      this.keys.clear();
      this.keys.set(day, signingKey);
    }
    const scope = `${day}/${this.key.region}/${this.key.service}/aws4_request`;
    const dateHeader = encodeHeaders({ ':date': { type: 'timestamp', value: date } });
    const stringToSign = [EVENT_ALGORITHM, longDate, scope, this.prior, sha256Hex(dateHeader), sha256Hex(payload)].join('\n');
    return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  }
}
