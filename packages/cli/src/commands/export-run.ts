import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TfbricksError, errorMessage } from '@tfbricks/core';
import { exportOnnx } from '@tfbricks/onnx';
import type { CommandContext } from '../command';
import { println } from '../io';
import { loadSavedModel } from '../saved-model';
import type { ExportPlan } from './export-plan';
import { runPreprocessing } from './export-preprocessing';

/**
 * Write `data` to `path` atomically: a temporary sibling, fsync, then rename (with `force`)
 * or link (without: fails if `path` appeared meanwhile, so nothing is overwritten). The
 * temporary file never stays behind.
 */
function writeOutput(path: string, data: Uint8Array, force: boolean): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (force) renameSync(tmp, path);
    else linkSync(tmp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new TfbricksError('E_USAGE', `invalid value for --out: ${JSON.stringify(path)} exists (pass --force to replace it)`, { usage: true });
    throw new TfbricksError('E_EXPORT_WRITE', `tfbricks export: cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Load the saved model on the cpu backend, convert it, write the file. */
export async function runExport(plan: ExportPlan, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  // Weights are only read: the cpu backend is always there and exact.
  await ctx.registry.resolve({ backend: 'cpu' });
  const loaded = await loadSavedModel(plan.source.modelDir, ctx);
  try {
    const run = plan.source.kind === 'run' ? plan.source.config : undefined;
    const preprocessing = await runPreprocessing(run, plan.dataDir, ctx);
    const metadata: Record<string, string> = { model: loaded.model.name };
    for (const key of ['dataset', 'labelMode', 'epochsCompleted'] as const) {
      if (loaded.metadata[key] !== undefined) metadata[key] = String(loaded.metadata[key]);
    }
    const bytes = exportOnnx(loaded.model, {
      opset: plan.opset,
      batch: plan.batch,
      inputLayout: plan.inputLayout,
      includePreprocessing: plan.includePreprocessing,
      preprocessing,
      classNames: loaded.classNames,
      metadata,
    });
    writeOutput(plan.out, bytes, plan.force);
    const input = plan.includePreprocessing ? 'raw pixels 0-255' : 'pixels / 255';
    println(io.stdout, `ONNX model written to ${plan.out} (${bytes.byteLength} bytes, opset ${plan.opset}, ${plan.inputLayout} input: ${input})`);
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
