import { describeData, loadData } from '../data';
import type { CommandContext } from '../command';
import { println } from '../io';
import type { TrainConfig } from './train-config';

/** What `@tfbricks/onnx` stores or bakes: Keras' standardize steps. */
export interface ExportPreprocessing {
  rescale: number;
  samplewiseCenter?: boolean;
  samplewiseStdNormalization?: boolean;
  mean?: Float32Array;
  std?: Float32Array;
  zca?: Float32Array;
}

/** tfbricks train and evaluate rescale uint8 pixels by 1/255. */
export const RECIPE_RESCALE = 1 / 255;

/** The run's training data as `train` fitted on it: CIFAR's training images, or the folder's seeded sample. */
async function fitData(config: TrainConfig, dataDir: string | null, ctx: CommandContext) {
  const dir = dataDir ?? config.dataDir;
  if (config.imageSize && dir) {
    const { openImageFolder } = await import('../image-folder-data');
    return openImageFolder({ dataDir: dir, imageSize: config.imageSize, validationSplit: config.validationSplit, seed: config.seed, skipBadImages: config.skipBadImages ?? false }, ctx.io);
  }
  const data = await loadData({ ...config, dataDir: dir, limitTest: 1 }, ctx.io);
  for (const line of describeData(data).slice(0, 2)) println(ctx.io.stdout, line);
  return { trainImages: data.train, imageShape: data.imageShape };
}

/**
 * The preprocessing a run's model saw in training: rescale 1/255, plus the generator's
 * standardisation when `--augment` used it. Featurewise statistics and ZCA are not stored in
 * the run, so they are refitted on the run's training images exactly as `train` fitted them
 * (same images — for a folder, the same seeded sample —, same `fit()`; deterministic).
 */
export async function runPreprocessing(config: TrainConfig | undefined, dataDir: string | null, ctx: CommandContext): Promise<ExportPreprocessing> {
  const p: ExportPreprocessing = { rescale: RECIPE_RESCALE };
  if (!config?.augment) return p;
  const s = config.augmentation;
  p.samplewiseCenter = s.samplewiseCenter || s.samplewiseStdNormalization;
  p.samplewiseStdNormalization = s.samplewiseStdNormalization;
  if (!(s.featurewiseCenter || s.featurewiseStdNormalization || s.zcaWhitening)) return p;
  println(ctx.io.stdout, 'refitting the featurewise statistics on the training images of the run');
  const { createAugmentation } = await import('../augmentation');
  const generator = (await createAugmentation(s, await fitData(config, dataDir, ctx), (line) => println(ctx.io.stdout, line))) as unknown as {
    featurewiseCenter: boolean;
    featurewiseStdNormalization: boolean;
    zcaWhitening: boolean;
    mean: Float32Array | null;
    std: Float32Array | null;
    principalComponents: { dataSync(): Float32Array; dispose(): void } | null;
  };
  if (generator.featurewiseCenter && generator.mean) p.mean = generator.mean;
  if (generator.featurewiseStdNormalization && generator.std) p.std = generator.std;
  if (generator.zcaWhitening && generator.principalComponents) {
    p.zca = generator.principalComponents.dataSync();
    generator.principalComponents.dispose();
  }
  return p;
}
