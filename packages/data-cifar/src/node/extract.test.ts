import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type Member, makeFiles, officialMembers, tarGz } from '../../test/fixtures';
import { loadCifar10, loadCifar100 } from './load';
import { CIFAR10_SPEC, CIFAR100_SPEC } from '../spec';

const tmp = mkdtempSync(join(tmpdir(), 'tfb-cifar-extract-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const records = { train: 100, test: 20 };
const files = makeFiles(CIFAR10_SPEC, records, 5);
const good = officialMembers(CIFAR10_SPEC, files);
const folder = CIFAR10_SPEC.folder;
const outside = join(tmp, 'outside');

let k = 0;
/** Load a crafted archive through the archive path; returns the error and the cache folder. */
async function tryArchive(members: Member[] | Buffer): Promise<{ error: { code?: string; message: string }; cacheDir: string }> {
  const path = join(tmp, `crafted-${++k}.tar.gz`);
  writeFileSync(path, Buffer.isBuffer(members) ? members : tarGz(members));
  const cacheDir = join(tmp, `cache-${k}`);
  const error = await loadCifar10({ archive: path, records, cacheDir, env: {} }).then(
    () => ({ message: 'loaded' }),
    (e: unknown) => e as { code?: string; message: string },
  );
  return { error, cacheDir };
}

function expectNothingWritten(cacheDir: string): void {
  expect(existsSync(outside)).toBe(false);
  expect(existsSync(join(tmp, 'evil'))).toBe(false);
  // no extraction, no temporary folder left in the cache
  expect(readdirSync(join(cacheDir, 'cifar10'))).toEqual([]);
}

const cases: [string, Member[], RegExp][] = [
  ['an absolute path', [...good, { path: `${outside}/x`, data: Buffer.from('x') }], /absolute path/],
  ['a .. path', [...good, { path: `${folder}/../../evil`, data: Buffer.from('x') }], /path contains '\.\.'/],
  ['a symbolic link', [...good, { path: `${folder}/link`, type: 'SymbolicLink', linkpath: outside }], /it is a SymbolicLink; only regular files/],
  ['a link as a data file', [good[0], { path: `${folder}/data_batch_1.bin`, type: 'SymbolicLink', linkpath: '/etc/passwd' }, ...good.slice(2)], /SymbolicLink/],
  ['a hard link', [...good, { path: `${folder}/hard`, type: 'Link', linkpath: `${folder}/data_batch_1.bin` }], /it is a Link/],
  ['a character device', [...good, { path: `${folder}/dev`, type: 'CharacterDevice' }], /CharacterDevice/],
  ['a block device', [...good, { path: `${folder}/blk`, type: 'BlockDevice' }], /BlockDevice/],
  ['a FIFO', [...good, { path: `${folder}/fifo`, type: 'FIFO' }], /FIFO/],
  ['a duplicate member', [...good, { path: `${folder}/data_batch_2.bin`, data: files.get('data_batch_2.bin') }], /duplicate member/],
  ['an oversized data member', [good[0], { path: `${folder}/data_batch_1.bin`, data: Buffer.concat([files.get('data_batch_1.bin')!, Buffer.alloc(3073)]) }, ...good.slice(2)], /64533 bytes; expected exactly 61460/],
  ['an oversized metadata member', [...good.filter((m) => !m.path.endsWith('readme.html')), { path: `${folder}/readme.html`, data: Buffer.alloc(70_000) }], /70000 bytes; allowed: at most 65536/],
  ['an unexpected file', [...good, { path: `${folder}/extra.bin`, data: Buffer.from('x') }], /unexpected member; allowed: cifar-10-batches-bin\/data_batch_1\.bin/],
  ['an unexpected directory', [...good, { path: 'other/', type: 'Directory' }], /unexpected directory/],
  ['a file outside the folder', [...good, { path: 'data_batch_1.bin', data: files.get('data_batch_1.bin') }], /unexpected member/],
];

describe('archive extraction refuses anything but the expected regular files', () => {
  for (const [name, members, reason] of cases) {
    it(`refuses ${name}`, async () => {
      const { error, cacheDir } = await tryArchive(members);
      expect(error.code).toBe('E_DATASET_ARCHIVE');
      expect(error.message).toMatch(/refusing member '/);
      expect(error.message).toMatch(reason);
      expectNothingWritten(cacheDir);
    });
  }

  it('refuses an archive that lacks a data file', async () => {
    const { error, cacheDir } = await tryArchive(good.filter((m) => !m.path.endsWith('test_batch.bin')));
    expect(error).toMatchObject({ code: 'E_DATASET_ARCHIVE', message: expect.stringContaining('lacks cifar-10-batches-bin/test_batch.bin') });
    expectNothingWritten(cacheDir);
  });

  it('refuses a truncated archive and something that is not a tar at all', async () => {
    const whole = tarGz(good);
    const t1 = await tryArchive(whole.subarray(0, whole.length >> 1));
    expect(t1.error.code).toBe('E_DATASET_ARCHIVE');
    expectNothingWritten(t1.cacheDir);
    const t2 = await tryArchive(gzipSync(Buffer.from('<html>not a tar</html>')));
    expect(t2.error.code).toBe('E_DATASET_ARCHIVE');
    expectNothingWritten(t2.cacheDir);
  });

  it('refuses an out-of-range label inside an otherwise well-formed archive, naming file and record', async () => {
    const bad = new Map(files);
    const b = Buffer.from(files.get('data_batch_5.bin')!);
    b[11 * 3073] = 200;
    bad.set('data_batch_5.bin', b);
    const { error } = await tryArchive(officialMembers(CIFAR10_SPEC, bad));
    expect(error.message).toMatch(/data_batch_5\.bin: record 11 has label byte 200; allowed: 0–9/);
  });

  it('accepts the official layout, with or without the metadata files and a ./ prefix', async () => {
    const path = join(tmp, 'ok.tar.gz');
    writeFileSync(path, tarGz(good.filter((m) => !m.path.endsWith('.txt')).map((m) => ({ ...m, path: `./${m.path}` }))));
    const data = await loadCifar10({ archive: path, records, cacheDir: join(tmp, 'ok-cache'), env: {} });
    expect(data.train.labels.length).toBe(100);
  });

  it('checks CIFAR-100 member sizes exactly (records of 3,074 bytes)', async () => {
    const f100 = makeFiles(CIFAR100_SPEC, { train: 30, test: 10 }, 6);
    const members = officialMembers(CIFAR100_SPEC, f100);
    const path = join(tmp, 'c100.tar.gz');
    writeFileSync(path, tarGz(members));
    const data = await loadCifar100({ archive: path, records: { train: 30, test: 10 }, cacheDir: join(tmp, 'c100'), env: {} });
    expect(data.train.labels.length).toBe(30);
    await expect(loadCifar100({ archive: path, records: { train: 31, test: 10 }, cacheDir: join(tmp, 'c100b'), env: {} })).rejects.toThrow(
      /refusing member 'cifar-100-binary\/train\.bin': 92220 bytes; expected exactly 95294/,
    );
  });
});
