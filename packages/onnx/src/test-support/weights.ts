import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { randomArray } from './runtime';

/**
 * "Trained-looking" weights for big models without training them: every weight scaled by a
 * random factor in [0.5, 1.5) plus noise, BatchNormalization's gamma/beta and moving
 * statistics set to non-trivial values (so BN inference is really exercised).
 */
export function perturbWeights(model: tfl.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const t = w.read();
      const n = t.size;
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      let data: Float32Array;
      if (short === 'gamma') data = randomArray(n, ++s, 0.5, 1.5);
      else if (short === 'beta') data = randomArray(n, ++s, -0.3, 0.3);
      else if (short === 'moving_mean') data = randomArray(n, ++s, -0.5, 0.5);
      else if (short === 'moving_variance') data = randomArray(n, ++s, 0.3, 2);
      else {
        const base = t.dataSync();
        const scale = randomArray(n, ++s, 0.5, 1.5);
        const noise = randomArray(n, ++s, -0.05, 0.05);
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = base[i] * scale[i] + noise[i];
      }
      const next = tfc.tensor(data, t.shape);
      w.write(next);
      next.dispose();
    }
  }
}
