import { TfbricksError } from '@tfbricks/core';
import { type CifarSpec, MAX_METADATA_BYTES } from './spec';

/**
 * How data members are sized: `exact` (the sizes map, as for a verified official archive), or
 * any positive whole number of records up to the sizes map (a subset such as cifar10-mini).
 */
export type MemberSizeRule = 'exact' | { recordBytes: number };

/** What an archive member is allowed to be. */
export type Allowed = { kind: 'dir' } | { kind: 'data'; name: string; size: number } | { kind: 'meta'; name: string };

export function refuse(archive: string, member: string, reason: string): TfbricksError {
  return new TfbricksError('E_DATASET_ARCHIVE', `${archive}: refusing member '${member}': ${reason}`, {
    hint: 'this is not an official archive of this dataset; nothing from it was used. Re-download it or check the source',
    details: { archive, member, reason },
  });
}

/**
 * Decide what a member may be, or throw naming the member. Only the expected regular files
 * (exact names in the dataset folder, exact sizes for data files, bounded metadata files)
 * and the folder itself are accepted; absolute paths, `..`, links, devices, FIFOs,
 * duplicates, unknown names and wrong sizes are refused.
 */
export function classifyMember(
  spec: CifarSpec,
  sizes: Map<string, number>,
  archive: string,
  member: { path: string; type: string; size: number },
  sizeRule: MemberSizeRule = 'exact',
): Allowed {
  const raw = member.path;
  if (raw.startsWith('/') || raw.startsWith('\\') || /^[a-zA-Z]:/.test(raw)) throw refuse(archive, raw, 'absolute path');
  const parts = raw.split(/[\\/]+/);
  if (parts.includes('..')) throw refuse(archive, raw, "path contains '..'");
  const path = raw.startsWith('./') ? raw.slice(2) : raw;
  if (member.type === 'Directory') {
    if (path === spec.folder || path === `${spec.folder}/`) return { kind: 'dir' };
    throw refuse(archive, raw, `unexpected directory; allowed: '${spec.folder}/'`);
  }
  if (member.type !== 'File' && member.type !== 'OldFile') {
    throw refuse(archive, raw, `it is a ${member.type}; only regular files are allowed`);
  }
  const prefix = `${spec.folder}/`;
  const name = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
  if (name !== undefined) {
    const expected = sizes.get(name);
    if (expected !== undefined) {
      if (sizeRule === 'exact' && member.size !== expected) {
        throw refuse(archive, raw, `${member.size} bytes; expected exactly ${expected}`);
      }
      if (sizeRule !== 'exact' && (member.size === 0 || member.size > expected || member.size % sizeRule.recordBytes !== 0)) {
        throw refuse(archive, raw, `${member.size} bytes; allowed: a positive whole number of ${sizeRule.recordBytes}-byte records, at most ${expected}`);
      }
      return { kind: 'data', name, size: member.size };
    }
    if (spec.metadataFiles.includes(name)) {
      if (member.size > MAX_METADATA_BYTES) throw refuse(archive, raw, `${member.size} bytes; allowed: at most ${MAX_METADATA_BYTES}`);
      return { kind: 'meta', name };
    }
  }
  const allowed = [...sizes.keys(), ...spec.metadataFiles].map((n) => prefix + n);
  throw refuse(archive, raw, `unexpected member; allowed: ${allowed.join(', ')}`);
}

