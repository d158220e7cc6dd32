import { usageError } from '@tfbricks/core';
import { validateBackendChoice } from '../backends';
import type { CommandContext } from '../command';
import { resolveModelDir } from '../model-source';
import { requireReadableFile } from '../paths';
import { DEFAULT_MAX_IMAGE_PIXELS, requireImageFile } from '../predict-image';
import { parseInteger } from '../values';

export interface PredictPlan {
  source: ReturnType<typeof resolveModelDir>;
  images: { path: string; shown: string }[];
  topK: number;
  backend: string | undefined;
  json: boolean;
  /** Largest image (width x height) decoded. */
  maxImagePixels: number;
}

/** `tfbricks predict <images...> --model <dir>`: top-k classes per image. */
export async function predictCommand(ctx: CommandContext): Promise<number> {
  const { opts, io } = ctx;
  const topK = typeof opts.topK === 'string' ? parseInteger('--top-k', opts.topK, 1) : 3;
  const backend = validateBackendChoice(ctx.registry, typeof opts.backend === 'string' ? opts.backend : undefined, io.env);
  if (typeof opts.model !== 'string') {
    throw usageError('E_USAGE', 'tfbricks predict: missing --model <dir> (allowed: a run directory or a saved model directory)');
  }
  const maxImagePixels = typeof opts.maxImagePixels === 'string' ? parseInteger('--max-image-pixels', opts.maxImagePixels, 1, Number.MAX_SAFE_INTEGER) : DEFAULT_MAX_IMAGE_PIXELS;
  const images = ctx.args.map((shown) => {
    const path = requireReadableFile('<images>', shown, io.cwd, 'PNG or JPEG files');
    requireImageFile(path, shown, maxImagePixels);
    return { path, shown };
  });
  const source = resolveModelDir('--model', opts.model, io.cwd);
  const plan: PredictPlan = { source, images, topK, backend, json: opts.json === true, maxImagePixels };
  const { runPredict } = await import('./predict-run');
  return runPredict(plan, ctx);
}
