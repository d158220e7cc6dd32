import { describe, expect, it } from 'vitest';
import type { TrainingContext } from '@tfbricks/train';
import { ProgressReporter } from './progress';

function fakeContext(steps: number): { ctx: TrainingContext; setStep(n: number): void } {
  let step = 0;
  const ctx = {
    params: { epochs: 2, initialEpoch: 0, batchSize: 32, steps, samples: steps * 32, seed: 1, numClasses: 10, hasValidation: true, metrics: [] },
    get step() {
      return step;
    },
    epoch: 0,
  } as unknown as TrainingContext;
  return { ctx, setStep: (n) => (step = n) };
}

describe('ProgressReporter', () => {
  it('draws a Keras-like bar with ETA, loss, acc and img/s on a terminal', () => {
    let out = '';
    let now = 0;
    const reporter = new ProgressReporter({ write: (s: string) => (out += s), isTTY: true, columns: 200 }, 'bar', () => now);
    const { ctx, setStep } = fakeContext(4);
    reporter.onTrainBegin(ctx);
    reporter.onEpochBegin(0, ctx);
    expect(reporter.needsBatchLogs()).toBe(true);
    for (let b = 0; b < 4; b++) {
      now += 500;
      setStep(b + 1);
      reporter.onBatchEnd({ batch: b, size: 32, globalStep: b + 1, logs: { loss: 2 - b * 0.1, acc: 0.1 * b } }, ctx);
    }
    reporter.onEpochEnd(0, { loss: 1.7, acc: 0.3, val_loss: 1.8, val_acc: 0.25 }, ctx);
    expect(out).toContain('Epoch 1/2\n');
    expect(out).toMatch(/\r1\/4 \[={6}>\.{23}\] - ETA: 2s - 64 img\/s - loss: 2\.0000 - acc: 0\.0000\x1b\[K/);
    // running means of the batches read so far: (2.0 + 1.9) / 2, (0 + 0.1) / 2
    expect(out).toMatch(/\r2\/4 \[.*\] - ETA: 1s - 64 img\/s - loss: 1\.9500 - acc: 0\.0500\x1b\[K/);
    expect(out).toMatch(/\r4\/4 \[=+\] - 2s 500ms\/step - loss: 1\.7000 - acc: 0\.3000 - val_loss: 1\.8000 - val_acc: 0\.2500 - 64 img\/s\x1b\[K\n$/);
  });

  it('prints one line per epoch when not on a terminal and asks for no batch logs', () => {
    let out = '';
    let now = 0;
    const reporter = new ProgressReporter({ write: (s: string) => (out += s), isTTY: false }, 'epoch', () => now);
    const { ctx, setStep } = fakeContext(2);
    reporter.onTrainBegin(ctx);
    reporter.onEpochBegin(1, ctx);
    for (let b = 0; b < 2; b++) {
      now += 1000;
      setStep(b + 1);
      expect(reporter.needsBatchLogs()).toBe(false);
      reporter.onBatchEnd({ batch: b, size: 32, globalStep: b + 1 }, ctx);
    }
    reporter.onEpochEnd(1, { loss: 1.5, acc: 0.4 }, ctx);
    expect(out).not.toContain('\r');
    expect(out.trim().split('\n').at(-1)).toBe('Epoch 2/2 - 2/2 - 2s 1000ms/step - loss: 1.5000 - acc: 0.4000 - 32 img/s');
  });
});
