/**
 * The object checksums S3 takes in `x-amz-checksum-*` headers and aws-chunked trailers: CRC32, CRC32C, SHA-1 and
 * SHA-256, each the base64 of the big-endian digest. The CRCs are table-driven here (Node's zlib.crc32 is not in
 * every Node 20, and CRC32C is in none), the hashes are Node's crypto.
 */

import { createHash } from 'crypto';

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'sha1' | 'sha256';

/** The checksum header names, lower-cased, by algorithm. */
export const CHECKSUM_HEADERS: Readonly<Record<ChecksumAlgorithm, string>> = {
  crc32: 'x-amz-checksum-crc32',
  crc32c: 'x-amz-checksum-crc32c',
  sha1: 'x-amz-checksum-sha1',
  sha256: 'x-amz-checksum-sha256',
};

/** The algorithm a checksum header or trailer name stands for, if one this server computes. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const lower = name.trim().toLowerCase();
  return (Object.keys(CHECKSUM_HEADERS) as ChecksumAlgorithm[]).find((a) => CHECKSUM_HEADERS[a] === lower);
}

function crcTable(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomial : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const TABLES: Partial<Record<'crc32' | 'crc32c', Uint32Array>> = {};
const POLYNOMIALS = { crc32: 0xedb88320, crc32c: 0x82f63b78 } as const;

/** The reflected CRC of `data` (CRC-32/ISO-HDLC or CRC-32C/Castagnoli). */
export function crc(kind: 'crc32' | 'crc32c', data: Uint8Array): number {
  const table = (TABLES[kind] ??= crcTable(POLYNOMIALS[kind]));
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The checksum as S3 writes it: base64 of the big-endian digest. */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  if (algorithm === 'sha1' || algorithm === 'sha256') return createHash(algorithm).update(data).digest('base64');
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc(algorithm, data));
  return out.toString('base64');
}

/** S3's name for an algorithm in its error messages. */
export function algorithmName(algorithm: ChecksumAlgorithm): string {
  return algorithm.toUpperCase();
}
