import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { cudaBackend } from '@tfbricks/backend-cuda';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { type ResolvedBackend, Rng, createBackendRegistry, describeResolution } from '@tfbricks/core';

export interface ExampleOptions {
  /** Environment to read TFBRICKS_BACKEND from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Training epochs (default 8). */
  epochs?: number;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
}

export interface ExampleResult {
  resolved: ResolvedBackend;
  losses: number[];
  accuracy: number;
}

/** Three Gaussian blobs in 4-D, one per class, from a seeded generator. */
function blobs(rng: Rng, perClass: number): { x: number[][]; y: number[][] } {
  const centres = [
    [2, 0, 0, 1],
    [-2, 1, 0, -1],
    [0, -2, 2, 0],
  ];
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < perClass; i++) {
    centres.forEach((c, k) => {
      x.push(c.map((v) => v + rng.normal(0, 0.7)));
      y.push([0, 1, 2].map((j) => (j === k ? 1 : 0)));
    });
  }
  return { x, y };
}

/**
 * Register cpu, webgpu and cuda; resolve with the usual rule (TFBRICKS_BACKEND, else the
 * highest-priority backend that works); print the choice and why; train a tiny dense model.
 */
export async function runExample(options: ExampleOptions = {}): Promise<ExampleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const registry = createBackendRegistry({ env: options.env }).register(cpuBackend()).register(webgpuBackend()).register(cudaBackend());

  log(`registered backends: ${registry.list().map((p) => `${p.name} (priority ${p.priority})`).join(', ')}`);
  const resolved = await registry.resolve();
  log(describeResolution(resolved));

  const rng = new Rng(42);
  const data = blobs(rng, 40);
  const xs = tf.tensor2d(data.x);
  const ys = tf.tensor2d(data.y);

  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const losses: number[] = [];
  const history = await model.fit(xs, ys, {
    epochs: options.epochs ?? 8,
    batchSize: 30,
    shuffle: false,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        losses.push(logs?.loss ?? NaN);
        log(`epoch ${epoch + 1}: loss ${(logs?.loss ?? NaN).toFixed(4)} accuracy ${(logs?.acc ?? NaN).toFixed(3)}`);
      },
    },
  });
  const accs = history.history.acc as number[];
  const accuracy = accs[accs.length - 1];
  log(`trained on ${resolved.name} (tfjs backend "${tf.getBackend()}"): loss ${losses[0].toFixed(4)} → ${losses[losses.length - 1].toFixed(4)}`);

  model.dispose();
  tf.dispose([xs, ys]);
  return { resolved, losses, accuracy };
}
