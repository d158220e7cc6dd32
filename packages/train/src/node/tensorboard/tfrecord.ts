/**
 * TFRecord framing (what TensorBoard event files use):
 *   uint64 length (LE) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
 * with `masked = ((crc >>> 15) | (crc << 17)) + 0xa282ead8`. CRC-32C from @node-rs/crc32.
 */
import { crc32c } from '@node-rs/crc32';
import { TfbricksError } from '@tfbricks/core';

const MASK_DELTA = 0xa282ead8;

export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** One framed record. */
export function encodeRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** Split a TFRecord file into records, verifying both checksums of every record. */
export function decodeRecords(file: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (offset + 12 > buf.length) throw new TfbricksError('E_TFRECORD', `truncated record header at byte ${offset}`);
    const header = buf.subarray(offset, offset + 8);
    const length = Number(buf.readBigUInt64LE(offset));
    if (buf.readUInt32LE(offset + 8) !== maskedCrc32c(header)) throw new TfbricksError('E_TFRECORD', `bad length checksum at byte ${offset}`);
    const start = offset + 12;
    if (start + length + 4 > buf.length) throw new TfbricksError('E_TFRECORD', `truncated record of ${length} bytes at byte ${offset}`);
    const data = buf.subarray(start, start + length);
    if (buf.readUInt32LE(start + length) !== maskedCrc32c(data)) throw new TfbricksError('E_TFRECORD', `bad data checksum at byte ${offset}`);
    records.push(new Uint8Array(data));
    offset = start + length + 4;
  }
  return records;
}
