import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from './proto';
import { decodeRecords, encodeRecord, maskedCrc32c } from './tfrecord';

describe('tensorboard protobuf + tfrecord', () => {
  it('encodes Event fields with the event.proto wire numbers', () => {
    // wall_time (1, fixed64) = 1.5, step (2, varint) = 3, file_version (3, len) = "a"
    const bytes = encodeEvent({ wallTime: 1.5, step: 3, fileVersion: 'a' });
    expect(Buffer.from(bytes).toString('hex')).toBe('09000000000000f83f' + '1003' + '1a0161');
  });

  it('round-trips scalars, histograms and images', () => {
    const png = new Uint8Array([137, 80, 78, 71]);
    const event = {
      wallTime: 1700000000.25,
      step: 42,
      summary: [
        { tag: 'epoch_loss', simpleValue: 0.5 },
        { tag: 'w', histo: { min: -1, max: 2, num: 3, sum: 1, sumSquares: 5, bucketLimit: [0, 1, 2], bucket: [1, 1, 1] } },
        { tag: 'img', image: { height: 2, width: 2, colorspace: 3, encodedImageString: png } },
      ],
    };
    const back = decodeEvent(encodeEvent(event));
    expect(back).toEqual(event);
  });

  it('masks crc32c like TensorFlow (known vector) and frames records', () => {
    // crc32c("123456789") = 0xe3069283 (the standard check value); TF masks it.
    const crc = 0xe3069283;
    const masked = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(masked);
    const a = encodeRecord(new Uint8Array([1, 2, 3]));
    const b = encodeRecord(new Uint8Array([]));
    const records = decodeRecords(Buffer.concat([a, b]));
    expect(records.map((r) => [...r])).toEqual([[1, 2, 3], []]);
    const corrupt = Buffer.from(a);
    corrupt[13] ^= 0xff;
    expect(() => decodeRecords(corrupt)).toThrow(/bad data checksum/);
  });
});
