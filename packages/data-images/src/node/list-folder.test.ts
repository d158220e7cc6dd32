import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kerasPreprocessingSubset } from '@tfbricks/core';
import { keras3Shuffle, keras3Subset } from '../keras-split';
import { listImageFolder } from './list-folder';
import { tempDir } from './test-folders';

function touch(root: string, rel: string, body = 'x'): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), body);
}

describe('listImageFolder: Keras order', () => {
  const root = tempDir();
  for (const rel of [
    'b/2.png', 'b/10.png', 'b/1.PNG', 'b/notes.txt', 'b/z/deep.jpg', 'b/a b/space.jpg', 'b/a/inner.bmp',
    'a/x.jpeg', 'a/y.gif', 'a/foopng', 'a/t.tiff', 'a/p.ppm',
    'A/upper.jpg', '.hidden/h.png',
  ]) touch(root, rel);
  writeFileSync(join(root, 'toplevel.png'), 'x');

  it('classes are the sorted subfolder names (code-point order: A < a < b); Keras 3 skips hidden folders', () => {
    expect(listImageFolder(root, { style: 'keras3' }).classNames).toEqual(['A', 'a', 'b']);
    expect(listImageFolder(root, { style: 'keras-preprocessing' }).classNames).toEqual(['.hidden', 'A', 'a', 'b']);
  });

  it('files: class by class, roots sorted as strings (os.walk + sorted), names sorted, Keras 3 extensions', () => {
    const l = listImageFolder(root, { style: 'keras3' });
    // Roots of b: "b", "b/a", "b/a b", "b/z" ("/" sorts after " " only inside a name, not here).
    expect(l.files.map((f) => f.relativePath)).toEqual(['A/upper.jpg', 'a/x.jpeg', 'a/y.gif', 'b/1.PNG', 'b/10.png', 'b/2.png', 'b/a/inner.bmp', 'b/a b/space.jpg', 'b/z/deep.jpg']);
    expect(l.files.map((f) => f.classIndex)).toEqual([0, 1, 1, 2, 2, 2, 2, 2, 2]);
  });

  it('keras_preprocessing: its white list matched with endswith and no dot (foopng counts; gif does not)', () => {
    const l = listImageFolder(root, { style: 'keras-preprocessing', classes: ['a'] });
    expect(l.files.map((f) => f.relativePath)).toEqual(['a/foopng', 'a/p.ppm', 'a/t.tiff', 'a/x.jpeg']);
  });

  it('classes given: that order, and an unknown class is a usage error naming the allowed ones', () => {
    expect(listImageFolder(root, { style: 'keras3', classes: ['b', 'A'] }).classNames).toEqual(['b', 'A']);
    expect(() => listImageFolder(root, { style: 'keras3', classes: ['cat'] })).toThrow(expect.objectContaining({ message: expect.stringMatching(/"cat"/), hint: 'allowed: a subset of ["A","a","b"]' }));
  });

  it('without labels: every image below the folder, paths relative to it', () => {
    const l = listImageFolder(root, { style: 'keras3', inferLabels: false });
    // The folder itself is the first root of os.walk, so its own files come first.
    expect(l.files.map((f) => f.relativePath)).toEqual(['toplevel.png', '.hidden/h.png', 'A/upper.jpg', 'a/x.jpeg', 'a/y.gif', 'b/1.PNG', 'b/10.png', 'b/2.png', 'b/a/inner.bmp', 'b/a b/space.jpg', 'b/z/deep.jpg']);
  });

  it('symlink loops are reported, not followed forever; links are not followed unless asked', () => {
    const dir = tempDir();
    touch(dir, 'cat/c.png');
    symlinkSync(join(dir, 'cat'), join(dir, 'cat', 'again'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'cat', 'broken.png'));
    const plain = listImageFolder(dir, { style: 'keras3' });
    expect(plain.files.map((f) => f.relativePath)).toEqual(['cat/c.png']);
    expect(plain.bad).toEqual([expect.objectContaining({ path: join(dir, 'cat', 'broken.png'), code: 'unreadable' })]);
    const followed = listImageFolder(dir, { style: 'keras3', followLinks: true });
    expect(followed.files.map((f) => f.relativePath)).toEqual(['cat/c.png']);
    expect(followed.bad.map((b) => b.code).sort()).toEqual(['symlink-loop', 'unreadable']);
  });

  it('a missing folder or a file is a usage error naming it', () => {
    expect(() => listImageFolder(join(root, 'nope'), { style: 'keras3' })).toThrow(/nope.*cannot be read/);
    expect(() => listImageFolder(join(root, 'toplevel.png'), { style: 'keras3' })).toThrow(/is not a folder/);
  });
});

describe('subset splits', () => {
  const ref = JSON.parse(readFileSync(new URL('../../test/fixtures/keras3-split-reference.json', import.meta.url), 'utf8')) as {
    listing: string[];
    cases: { seed: number; split: number; training: string[]; validation: string[] }[];
  };

  it("Keras 3: RandomState(seed).shuffle, then the last int(split * n) are validation (make-keras3-split-reference.py)", () => {
    for (const c of ref.cases) {
      const shuffled = keras3Shuffle(ref.listing, c.seed);
      expect(keras3Subset(shuffled, c.split, 'training'), `seed ${c.seed} split ${c.split}`).toEqual(c.training);
      expect(keras3Subset(shuffled, c.split, 'validation'), `seed ${c.seed} split ${c.split}`).toEqual(c.validation);
    }
  });

  it('keras_preprocessing: the FIRST int(split * n) files of each class are validation', () => {
    const items = [0, 0, 0, 0, 0, 1, 1, 1].map((classIndex, i) => ({ classIndex, i }));
    expect(kerasPreprocessingSubset(items, 0.4, 'validation').map((x) => x.i)).toEqual([0, 1, 5]);
    expect(kerasPreprocessingSubset(items, 0.4, 'training').map((x) => x.i)).toEqual([2, 3, 4, 6, 7]);
  });
});
