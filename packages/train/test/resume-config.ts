// The run used by the SIGKILL resume test: shared by the test (uninterrupted reference,
// in-process) and the child script (killed and resumed), so both train the same thing.
import { fit } from '../src/fit';
import { BackupAndRestore } from '../src/node/callbacks/backup-and-restore';
import { ReduceLROnPlateau } from '../src/callbacks/reduce-lr-on-plateau';
import type { Callback, FitResult } from '../src/types';
import { buildTiny, createOptimizer, seededNoiseFlip, syntheticData } from './helpers';
import type * as tfl from '@tensorflow/tfjs-layers';

export const RESUME_EPOCHS = 3;

export async function resumeRun(options: { backupDir?: string; extraCallbacks?: Callback[]; modelSeed?: number }): Promise<{ model: tfl.LayersModel; result: FitResult }> {
  const model = buildTiny({ seed: options.modelSeed ?? 7, dropout: 0.25 });
  const callbacks: Callback[] = [new ReduceLROnPlateau({ monitor: 'val_loss', patience: 0, factor: 0.5, minDelta: 10 }), ...(options.extraCallbacks ?? [])];
  if (options.backupDir) callbacks.push(new BackupAndRestore(options.backupDir, { saveFreq: 1 }));
  const result = await fit({
    model,
    optimizer: createOptimizer('adam', { learningRate: 0.01 }),
    train: syntheticData(64),
    validation: syntheticData(16, { seed: 3 }),
    epochs: RESUME_EPOCHS,
    batchSize: 16,
    seed: 21,
    augmentation: seededNoiseFlip,
    callbacks,
  });
  return { model, result };
}
