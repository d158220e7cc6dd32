import { NumpyRandomState } from '@tfbricks/core';

/**
 * keras_preprocessing's `Iterator` order: at the start of each epoch Keras calls
 * `np.random.seed(seed + total_batches_seen)` and `np.random.permutation(n)`; the same
 * numbers here (numpy's MT19937), one permutation kept per epoch.
 */
export class NumpyLikeOrder {
  private cached: { epoch: number; order: number[] } | undefined;

  constructor(
    private readonly n: number,
    private readonly shuffle: boolean,
    readonly seed: number,
  ) {}

  epoch(epoch: number, batchesSeen: number): number[] {
    if (this.cached?.epoch === epoch) return this.cached.order;
    const order = this.shuffle ? new NumpyRandomState((this.seed + batchesSeen) % 2 ** 32).permutation(this.n) : Array.from({ length: this.n }, (_, i) => i);
    this.cached = { epoch, order };
    return order;
  }
}
