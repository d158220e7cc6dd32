import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from './numpy-random';

const ref = JSON.parse(readFileSync(new URL('../test/fixtures/numpy-reference.json', import.meta.url), 'utf8')) as {
  uint32: Record<string, number[]>;
  shuffle: Record<string, number[]>;
  permutation: Record<string, number[]>;
};

describe('NumpyRandomState (vectors from numpy 1.24, core/test/fixtures/make-numpy-reference.py)', () => {
  it('draws the same 32-bit words as RandomState(seed)', () => {
    for (const [seed, words] of Object.entries(ref.uint32)) {
      const rs = new NumpyRandomState(Number(seed));
      expect(Array.from({ length: words.length }, () => rs.nextUint32()), `seed ${seed}`).toEqual(words);
    }
  });

  it('shuffles a list like RandomState(seed).shuffle', () => {
    for (const [key, order] of Object.entries(ref.shuffle)) {
      const [seed, n] = key.split(':').map(Number);
      expect(new NumpyRandomState(seed).shuffle(Array.from({ length: n }, (_, i) => i)), key).toEqual(order);
    }
  });

  it('permutes like np.random.seed(s); np.random.permutation(n)', () => {
    for (const [key, order] of Object.entries(ref.permutation)) {
      const [seed, n] = key.split(':').map(Number);
      expect(new NumpyRandomState(seed).permutation(n), key).toEqual(order);
    }
  });

  it('refuses seeds numpy refuses', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/2\*\*32/);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(/2\*\*32/);
  });
});
