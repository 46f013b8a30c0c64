/**
 * SHA-256 (or, with a secret, HMAC-SHA256) in the shape the Smithy SigV4 signer takes as its `sha256` option, on
 * Node's own crypto: the server's signature check needs nothing more, so it needs no hashing package.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'crypto';

/** What the signer may pass as an HMAC key. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

export class Sha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? Buffer.from(this.secret, 'utf8') : ArrayBuffer.isView(this.secret)
      ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
      : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
}
