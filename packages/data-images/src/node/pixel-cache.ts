import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BadImageFile, ImageDecodeOptions, ImageFileEntry } from '@tfbricks/core';
import { channelsOf } from '@tfbricks/core';

/** New records are written in chunks of about this many bytes. */
const PENDING_BYTES = 1 << 20;

/** Bumped whenever decoding or resizing changes its output, so old caches are never reused. */
const CACHE_FORMAT = 1;

interface Slot {
  size: number;
  mtimeMs: number;
  slot?: number;
  bad?: { code: BadImageFile['code']; reason: string };
}

/**
 * Decoded images on disk, one cache per set of decode options: `pixels.bin` holds
 * fixed-size records (`height × width × channels` bytes), `index.json` maps each absolute
 * path to its record, valid while the file's size and mtime are unchanged. Bad files are
 * remembered too, so a second run decodes nothing. Reads are positioned reads of one
 * record, so memory never holds more than the batch being built.
 */
export class PixelCache {
  readonly dir: string;
  readonly recordBytes: number;
  private readonly index = new Map<string, Slot>();
  private fd: number;
  private nextSlot: number;
  private dirty = 0;
  /** New records of consecutive slots not yet written (one write per {@link PENDING_BYTES} instead of one per image). */
  private pending: Uint8Array;
  private pendingFirst = 0;
  private pendingCount = 0;

  constructor(root: string, options: ImageDecodeOptions) {
    const key = JSON.stringify({ v: CACHE_FORMAT, size: options.size, colorMode: options.colorMode, family: options.family, interpolation: options.interpolation, aspect: options.aspect ?? 'stretch' });
    this.dir = join(root, createHash('sha256').update(key).digest('hex').slice(0, 20));
    this.recordBytes = options.size[0] * options.size[1] * channelsOf(options.colorMode);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, 'options.json'), `${key}\n`);
    const indexPath = join(this.dir, 'index.json');
    if (existsSync(indexPath)) {
      try {
        const saved = JSON.parse(readFileSync(indexPath, 'utf8')) as Record<string, Slot>;
        for (const [path, slot] of Object.entries(saved)) this.index.set(path, slot);
      } catch {
        // A damaged index is dropped: the images are decoded again.
      }
    }
    this.fd = openSync(join(this.dir, 'pixels.bin'), existsSync(join(this.dir, 'pixels.bin')) ? 'r+' : 'w+');
    const records = Math.floor(fstatSync(this.fd).size / this.recordBytes);
    // Entries pointing past the end of the data (a writer killed before it wrote them) are dropped.
    for (const [path, slot] of this.index) if (slot.slot !== undefined && slot.slot >= records) this.index.delete(path);
    this.nextSlot = records;
    this.pending = new Uint8Array(Math.max(1, Math.floor(PENDING_BYTES / this.recordBytes)) * this.recordBytes);
  }

  /** The record of an unchanged file, its remembered failure, or undefined (decode it). */
  lookup(file: ImageFileEntry): Slot | undefined {
    const hit = this.index.get(file.path);
    return hit && hit.size === file.size && hit.mtimeMs === file.mtimeMs ? hit : undefined;
  }

  store(file: ImageFileEntry, pixels: Uint8Array): void {
    if (pixels.length !== this.recordBytes) throw new RangeError(`record of ${pixels.length} bytes, expected ${this.recordBytes}`);
    const previous = this.index.get(file.path);
    const slot = previous?.slot ?? this.nextSlot++;
    this.writeRecord(slot, pixels);
    this.index.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, slot });
    // The index is rewritten whole, so it is flushed when the unsaved entries reach half of
    // it (at least 4,096): a crash loses at most a third of the work, and writing it costs
    // O(n) over a whole folder rather than O(n²).
    if (++this.dirty >= Math.max(4096, this.index.size >> 1)) this.flush();
  }

  storeBad(file: ImageFileEntry, bad: { code: BadImageFile['code']; reason: string }): void {
    this.index.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, bad });
    this.dirty++;
  }

  /**
   * Records for the next consecutive slots are gathered and written together (a cold run
   * appends one record per image); any other slot, a read, or a flush writes them first.
   * `pixels` is copied, so callers may reuse their buffer.
   */
  private writeRecord(slot: number, pixels: Uint8Array): void {
    const capacity = this.pending.length / this.recordBytes;
    if (this.pendingCount && (slot !== this.pendingFirst + this.pendingCount || this.pendingCount === capacity)) this.writePending();
    if (this.pendingCount === 0) {
      if (capacity === 1) {
        writeSync(this.fd, pixels, 0, pixels.length, slot * this.recordBytes);
        return;
      }
      this.pendingFirst = slot;
    }
    this.pending.set(pixels, this.pendingCount * this.recordBytes);
    this.pendingCount++;
  }

  private writePending(): void {
    if (!this.pendingCount) return;
    const bytes = this.pendingCount * this.recordBytes;
    let done = 0;
    while (done < bytes) done += writeSync(this.fd, this.pending, done, bytes - done, this.pendingFirst * this.recordBytes + done);
    this.pendingCount = 0;
  }

  /** Copy a cached record into `target` at `offset`. */
  readInto(slot: number, target: Uint8Array, offset: number): void {
    this.writePending();
    const n = readSync(this.fd, target, offset, this.recordBytes, slot * this.recordBytes);
    if (n !== this.recordBytes) throw new RangeError(`image cache ${this.dir} is shorter than its index (record ${slot})`);
  }

  /** Write the index (atomically: a temporary file renamed over it). */
  flush(): void {
    // Pixels before the index that points at them: a crash never leaves an entry whose record is missing.
    this.writePending();
    if (!this.dirty) return;
    const tmp = join(this.dir, `index.json.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.index)));
    renameSync(tmp, join(this.dir, 'index.json'));
    this.dirty = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}
