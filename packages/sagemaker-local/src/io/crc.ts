/**
 * The server's one CRC32 and its CRC32C. CRC32 (IEEE 802.3, as the event-stream prelude and message and S3's
 * `x-amz-checksum-crc32` use it) is Node's own zlib.crc32, there from Node.js 20.15 and 22.2 (the package's
 * engines); CRC32C (Castagnoli, S3's `x-amz-checksum-crc32c`) is in no Node.js, so it is one table here.
 */

import { crc32 as zlibCrc32 } from 'zlib';

/** The CRC32 of `data`, continuing from `previous` (the CRC of what came before). */
export function crc32(data: Uint8Array, previous = 0): number {
  return zlibCrc32(data, previous) >>> 0;
}

let castagnoli: Uint32Array | undefined;

/** The reflected table of the Castagnoli polynomial. */
function crc32cTable(): Uint32Array {
  if (castagnoli) return castagnoli;
  castagnoli = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    castagnoli[n] = c >>> 0;
  }
  return castagnoli;
}

/** The CRC32C of `data`. */
export function crc32c(data: Uint8Array): number {
  const table = crc32cTable();
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
