/**
 * The object checksums S3 takes in `x-amz-checksum-*` headers and aws-chunked trailers: CRC32, CRC32C, SHA-1 and
 * SHA-256, each the base64 of the big-endian digest. The CRCs are the server's one CRC32 and its CRC32C
 * (io/crc), the hashes are Node's crypto.
 */

import { createHash } from 'crypto';
import { crc32, crc32c } from '../io/crc';

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

/** The reflected CRC of `data` (CRC-32/ISO-HDLC or CRC-32C/Castagnoli). */
export function crc(kind: 'crc32' | 'crc32c', data: Uint8Array): number {
  return kind === 'crc32' ? crc32(data) : crc32c(data);
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
