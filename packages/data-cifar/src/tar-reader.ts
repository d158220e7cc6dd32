import { TfbricksError } from '@tfbricks/core';

const BLOCK = 512;
/** Extended headers (pax, GNU long names) larger than this are refused. */
const MAX_EXTENDED_HEADER = 64 * 1024;

/** One member of a tar archive: its header fields and a view of its body (no copy). */
export interface TarMember {
  path: string;
  /** `tar`'s type names: File, OldFile, Directory, SymbolicLink, Link, CharacterDevice, … */
  type: string;
  size: number;
  body: Uint8Array;
}

const TYPES: Record<string, string> = {
  '\0': 'OldFile',
  '0': 'File',
  '1': 'Link',
  '2': 'SymbolicLink',
  '3': 'CharacterDevice',
  '4': 'BlockDevice',
  '5': 'Directory',
  '6': 'FIFO',
  '7': 'ContiguousFile',
};

function damaged(archive: string, offset: number, reason: string): TfbricksError {
  return new TfbricksError('E_DATASET_ARCHIVE', `${archive}: the tar data is damaged at byte ${offset}: ${reason}`, {
    hint: 'the file is damaged or truncated; download it again',
    details: { archive, offset, reason },
  });
}

function text(block: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return new TextDecoder().decode(block.subarray(start, end));
}

function octal(block: Uint8Array, start: number, length: number, archive: string, offset: number): number {
  const s = text(block, start, length).trim();
  if (!/^[0-7]*$/.test(s)) throw damaged(archive, offset, `header field '${s}' is not an octal number`);
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(block: Uint8Array, archive: string, offset: number): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum === octal(block, 148, 8, archive, offset);
}

/** pax records: `<len> <key>=<value>\n`; only `path` and `size` matter here. */
function paxFields(body: Uint8Array): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  const s = new TextDecoder().decode(body);
  for (const line of s.split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'path') out.path = m[2];
    if (m[1] === 'size' && /^\d+$/.test(m[2])) out.size = Number(m[2]);
  }
  return out;
}

/**
 * Walk the members of an uncompressed tar (ustar, with pax `path`/`size` and GNU long-name
 * extensions), calling `onMember` with views into `tar`. Header checksums are verified, a body
 * running past the end is an error (truncated archive); extended headers are bounded.
 */
export function readTar(tar: Uint8Array, archive: string, onMember: (member: TarMember) => void): void {
  let offset = 0;
  let pending: { path?: string; size?: number } = {};
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    if (!checksumOk(header, archive, offset)) throw damaged(archive, offset, 'header checksum mismatch');
    const flag = String.fromCharCode(header[156]);
    const headerSize = octal(header, 124, 12, archive, offset);
    const size = pending.size ?? headerSize;
    const bodyStart = offset + BLOCK;
    if (bodyStart + size > tar.length) throw damaged(archive, offset, `member needs ${size} bytes but the archive ends after ${tar.length - bodyStart}`);
    const body = tar.subarray(bodyStart, bodyStart + size);
    offset = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x' || flag === 'L' || flag === 'g') {
      if (size > MAX_EXTENDED_HEADER) throw damaged(archive, bodyStart - BLOCK, `extended header of ${size} bytes; allowed: at most ${MAX_EXTENDED_HEADER}`);
      if (flag === 'x') pending = { ...pending, ...paxFields(body) };
      if (flag === 'L') pending = { ...pending, path: text(body, 0, body.length) };
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = text(header, 0, 100);
    const magic = text(header, 257, 6);
    const path = pending.path ?? (magic.startsWith('ustar') && prefix ? `${prefix}/${name}` : name);
    pending = {};
    onMember({ path, type: TYPES[flag] ?? `type '${flag}'`, size, body });
  }
  if (offset < tar.length || offset === 0) throw damaged(archive, offset, 'the archive ends inside a header');
  // A tar without the end marker is accepted only when it ended exactly on a member boundary.
}
