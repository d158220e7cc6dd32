import { TfbricksError, isTfbricksError } from '@tfbricks/core';
import { type ByteSource, gunzipBounded } from './gunzip';
import { classifyMember, type MemberSizeRule } from './members';
import { convertRecords } from './parse';
import { readTar } from './tar-reader';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR10_SPEC,
  CIFAR100_COARSE_CLASS_NAMES,
  CIFAR100_FINE_CLASS_NAMES,
  CIFAR100_SPEC,
  type CifarName,
  type CifarSpec,
  IMAGE_BYTES,
  IMAGE_CHANNELS,
  IMAGE_HEIGHT,
  IMAGE_WIDTH,
  MAX_METADATA_BYTES,
  type SplitName,
  type SplitRecords,
  expectedFileSizes,
  recordBytes,
} from './spec';
import type { CifarData, CifarSplitData } from './types';

export type { ByteSource } from './gunzip';

/** Options of {@link parseCifarArchive}. */
export interface ParseArchiveOptions {
  /** Which dataset the archive must be. */
  dataset: CifarName;
  /** CIFAR-100: fine (default) or coarse labels. */
  labelMode?: 'fine' | 'coarse';
  /**
   * Exact records per split. Without it every data file may hold any positive whole number of
   * records up to the official count (a subset such as cifar10-mini).
   */
  records?: SplitRecords;
  /** The archive's name, for messages and `source.path` (default `archive.tar.gz`). */
  name?: string;
  signal?: AbortSignal;
  /** Compressed bytes read so far. */
  onBytes?: (read: number) => void;
}

const SPECS: Record<CifarName, CifarSpec> = { cifar10: CIFAR10_SPEC, cifar100: CIFAR100_SPEC };

/** The most a valid archive of `spec` can decompress to: data, metadata, headers, padding, end marker. */
function maxTarBytes(spec: CifarSpec, sizes: Map<string, number>): number {
  const members = sizes.size + spec.metadataFiles.length + 1;
  const data = [...sizes.values()].reduce((a, b) => a + b, 0) + spec.metadataFiles.length * MAX_METADATA_BYTES;
  // Per member: a header, a pax header (header + one block) and padding; then the end marker and record padding.
  return data + members * 4 * 512 + 20 * 512;
}

/** A refusal that names the other CIFAR dataset when the archive is that one. */
function explainOther(error: unknown, spec: CifarSpec, name: string, path: string): unknown {
  const other = spec.name === 'cifar10' ? CIFAR100_SPEC : CIFAR10_SPEC;
  const top = path.replace(/^\.\//, '').split('/')[0];
  if (!isTfbricksError(error) || top !== other.folder) return error;
  return new TfbricksError('E_DATASET_ARCHIVE', `${name} is a ${other.title} archive (it holds '${other.folder}/'), not ${spec.title}`, {
    hint: `choose ${other.title} as the dataset, or give the ${spec.archiveName} archive`,
    cause: error,
    details: { archive: name, member: path, expected: spec.name, found: other.name },
  });
}

/**
 * Parse an official CIFAR binary `.tar.gz` in memory, in any JavaScript runtime (browsers
 * included): gunzip with `DecompressionStream` (bounded by what the dataset can hold), walk
 * the tar, accept only the members {@link classifyMember} allows (the rules `extractArchive`
 * applies on disk), and convert the records as `loadCifar10` does, every label checked.
 */
export async function parseCifarArchive(source: ByteSource, options: ParseArchiveOptions): Promise<CifarData> {
  const spec = SPECS[options.dataset];
  if (!spec) {
    throw new TfbricksError('E_USAGE', `parseCifarArchive: dataset must be cifar10 or cifar100, got ${JSON.stringify(options.dataset)}`, { usage: true });
  }
  const name = options.name ?? 'archive.tar.gz';
  const sizes = expectedFileSizes(spec, options.records ?? spec.records);
  const rule: MemberSizeRule = options.records ? 'exact' : { recordBytes: recordBytes(spec) };
  const tar = await gunzipBounded(source, name, maxTarBytes(spec, sizes), { signal: options.signal, onBytes: options.onBytes });
  const files = new Map<string, Uint8Array>();
  readTar(tar, name, (member) => {
    let allowed;
    try {
      allowed = classifyMember(spec, sizes, name, member, rule);
    } catch (error) {
      throw explainOther(error, spec, name, member.path);
    }
    if (allowed.kind !== 'data') return;
    if (files.has(allowed.name)) {
      throw new TfbricksError('E_DATASET_ARCHIVE', `${name}: refusing member '${member.path}': duplicate member`, { details: { archive: name, member: member.path } });
    }
    files.set(allowed.name, member.body);
  });
  const missing = [...sizes.keys()].filter((n) => !files.has(n));
  if (missing.length > 0) {
    throw new TfbricksError('E_DATASET_ARCHIVE', `${name} lacks ${missing.map((n) => `${spec.folder}/${n}`).join(', ')}`, {
      hint: 'the archive is incomplete or not of this dataset; download it again',
      details: { archive: name, missing },
    });
  }
  const labelMode = spec.name === 'cifar100' ? (options.labelMode ?? 'fine') : undefined;
  const labelIndex = labelMode === 'fine' ? 1 : 0;
  const split = {} as Record<SplitName, CifarSplitData>;
  for (const s of ['train', 'test'] as const) split[s] = convertSplit(spec, s, files, labelIndex, name);
  const classNames = spec.name === 'cifar10' ? CIFAR10_CLASS_NAMES : labelMode === 'fine' ? CIFAR100_FINE_CLASS_NAMES : CIFAR100_COARSE_CLASS_NAMES;
  return {
    name: spec.name,
    ...split,
    classNames,
    imageShape: [IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS],
    ...(labelMode ? { labelMode } : {}),
    source: { kind: 'archive', path: name },
  };
}

function convertSplit(spec: CifarSpec, split: SplitName, files: Map<string, Uint8Array>, labelIndex: number, archive: string): CifarSplitData {
  const rb = recordBytes(spec);
  const bodies = spec.files[split].map((f) => ({ file: f, body: files.get(f)! }));
  const n = bodies.reduce((a, b) => a + b.body.length / rb, 0);
  const out: CifarSplitData = { images: new Uint8Array(n * IMAGE_BYTES), labels: new Uint8Array(n) };
  const layout = { labelBytes: spec.labelBytes, labelLimits: spec.labelLimits, labelNames: spec.labelNames, labelIndex };
  let at = 0;
  for (const { file, body } of bodies) {
    const count = body.length / rb;
    convertRecords(body, count, layout, out.images, out.labels, at, `${archive}: ${spec.folder}/${file}`, 0);
    at += count;
  }
  return out;
}
