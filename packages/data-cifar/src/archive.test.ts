import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../vitest.shared';
import { type Member, makeFiles, officialMembers, tarGz } from '../test/fixtures';
import { parseCifarArchive } from './archive';
import { loadCifar10 } from './node/load';
import { CIFAR10_SPEC, CIFAR100_SPEC } from './spec';

const records = { train: 100, test: 20 };
const files = makeFiles(CIFAR10_SPEC, records, 5);
const good = officialMembers(CIFAR10_SPEC, files);
const folder = CIFAR10_SPEC.folder;
const tmp = mkdtempSync(join(tmpdir(), 'tfb-cifar-archive-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Byte equality without vitest's element-by-element diff (slow on megabytes). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

async function refusal(bytes: Uint8Array, dataset: 'cifar10' | 'cifar100' = 'cifar10'): Promise<{ code?: string; message: string }> {
  return parseCifarArchive(bytes, { dataset, name: 'x.tar.gz' }).then(
    () => ({ message: 'parsed' }),
    (e: unknown) => e as { code?: string; message: string },
  );
}

describe('parseCifarArchive (in memory, browser-safe)', () => {
  it('parses an archive in the official layout like the on-disk loader does', async () => {
    const archive = tarGz(good);
    const fromMemory = await parseCifarArchive(new Uint8Array(archive), { dataset: 'cifar10', name: 'c.tar.gz' });
    const path = join(tmp, 'c.tar.gz');
    writeFileSync(path, archive);
    const fromDisk = await loadCifar10({ archive: path, records, cacheDir: join(tmp, 'cache'), env: {} });
    expect(same(fromMemory.train.labels, fromDisk.train.labels)).toBe(true);
    expect(same(fromMemory.train.images, fromDisk.train.images)).toBe(true);
    expect(same(fromMemory.test.images, fromDisk.test.images)).toBe(true);
    expect(fromMemory.classNames).toEqual(fromDisk.classNames);
    expect(fromMemory.source).toEqual({ kind: 'archive', path: 'c.tar.gz' });
  });

  it('reads a Blob (a browser File) and exact record counts when asked', async () => {
    const d = await parseCifarArchive(new Blob([new Uint8Array(tarGz(good))]), { dataset: 'cifar10', records });
    expect(d.train.labels.length).toBe(100);
    await expect(parseCifarArchive(new Blob([new Uint8Array(tarGz(good))]), { dataset: 'cifar10', records: { train: 200, test: 20 } })).rejects.toThrow(/61460 bytes; expected exactly 122920/);
  });

  const cases: [string, Member[], RegExp][] = [
    ['a .. path', [...good, { path: `${folder}/../../evil`, data: Buffer.from('x') }], /path contains '\.\.'/],
    ['a symbolic link', [...good, { path: `${folder}/link`, type: 'SymbolicLink', linkpath: '/etc/passwd' }], /it is a SymbolicLink/],
    ['a duplicate member', [...good, { path: `${folder}/data_batch_2.bin`, data: files.get('data_batch_2.bin') }], /duplicate member/],
    ['a partial record', [good[0], { path: `${folder}/data_batch_1.bin`, data: Buffer.alloc(3000) }, ...good.slice(2)], /3000 bytes; allowed: a positive whole number of 3073-byte records/],
    ['an unexpected file', [...good, { path: `${folder}/extra.bin`, data: Buffer.from('x') }], /unexpected member/],
    ['a missing batch', good.filter((m) => !m.path.endsWith('data_batch_3.bin')), /lacks cifar-10-batches-bin\/data_batch_3\.bin/],
  ];
  for (const [what, members, reason] of cases) {
    it(`refuses ${what}`, async () => {
      const e = await refusal(new Uint8Array(tarGz(members)));
      expect(e.code).toBe('E_DATASET_ARCHIVE');
      expect(e.message).toMatch(reason);
    });
  }

  it('says so when a CIFAR-100 archive is given as CIFAR-10 (and the other way round)', async () => {
    const c100 = tarGz(officialMembers(CIFAR100_SPEC, makeFiles(CIFAR100_SPEC, { train: 20, test: 10 }, 2)));
    expect((await refusal(new Uint8Array(c100))).message).toMatch(/is a CIFAR-100 archive \(it holds 'cifar-100-binary\/'\), not CIFAR-10/);
    expect((await refusal(new Uint8Array(tarGz(good)), 'cifar100')).message).toMatch(/is a CIFAR-10 archive/);
    const d = await parseCifarArchive(new Uint8Array(c100), { dataset: 'cifar100', labelMode: 'coarse' });
    expect(d.classNames.length).toBe(20);
    expect(Math.max(...d.train.labels)).toBeLessThan(20);
  });

  it('refuses a truncated archive, a corrupt one and a label out of range', async () => {
    const archive = tarGz(good);
    const truncated = await refusal(new Uint8Array(archive.subarray(0, Math.floor(archive.length / 2))));
    expect(truncated.code).toBe('E_DATASET_ARCHIVE');
    expect(truncated.message).toMatch(/not a complete \.tar\.gz/);
    const corrupt = Buffer.from(archive);
    for (let i = 100; i < 400; i++) corrupt[i] ^= 0x5a;
    expect((await refusal(new Uint8Array(corrupt))).code).toBe('E_DATASET_ARCHIVE');
    expect((await refusal(new TextEncoder().encode('not an archive at all'))).message).toMatch(/not a complete \.tar\.gz/);
    const bad = new Map(files);
    const batch = Buffer.from(bad.get('data_batch_2.bin')!);
    batch[3073 * 7] = 12;
    bad.set('data_batch_2.bin', batch);
    const e = await refusal(new Uint8Array(tarGz(officialMembers(CIFAR10_SPEC, bad))));
    expect(e.code).toBe('E_DATASET_FORMAT');
    expect(e.message).toMatch(/data_batch_2\.bin: record 7 has label byte 12; allowed: 0–9/);
  });

  it('refuses an archive that decompresses to more than the dataset can hold', async () => {
    // With exact record counts the bound is the few hundred KiB those records need.
    const huge = tarGz([...good.slice(0, 1), { path: `${folder}/readme.html`, data: Buffer.alloc(4 * 1024 * 1024) }]);
    await expect(parseCifarArchive(new Uint8Array(huge), { dataset: 'cifar10', records })).rejects.toThrow(/decompresses to more than \d+ bytes/);
  });

  const mini = join(sharedDir, 'data/cifar10-mini');
  it.skipIf(!existsSync(mini))('parses a GNU tar of cifar10-mini exactly as the folder loader reads it', async () => {
    const path = join(tmp, 'mini.tar.gz');
    execFileSync('tar', ['-czf', path, '-C', mini, 'cifar-10-batches-bin']);
    const d = await parseCifarArchive(new Uint8Array(readFileSync(path)), { dataset: 'cifar10' });
    const ref = await loadCifar10({ dataDir: join(mini, 'cifar-10-batches-bin') });
    expect(d.train.labels.length).toBe(5000);
    expect(same(d.train.labels, ref.train.labels)).toBe(true);
    expect(same(d.test.images, ref.test.images)).toBe(true);
  });
});
