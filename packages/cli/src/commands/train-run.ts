import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-layers';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type ResolvedBackend, describeResolution } from '@tfbricks/core';
import { buildModel, createOptimizer, summary } from '@tfbricks/layers';
import { saveModel } from '@tfbricks/layers/node';
import { type Callback, evaluate, fit } from '@tfbricks/train';
import { BackupAndRestore, CSVLogger, ModelCheckpoint, TensorBoard, renderConfusionMatrix, renderTrainingCurves } from '@tfbricks/train/node';
import { writeFileAtomic } from '../atomic';
import { type LoadedData, describeData, loadData } from '../data';
import { printEvaluation, writeEvaluationReport } from '../evaluation-report';
import { println } from '../io';
import type { CommandContext } from '../command';
import { specFor } from '../models';
import { writeModelPlots } from '../plots';
import { type ProgressMode, ProgressReporter } from '../progress';
import { CONFIG_FILE, DONE_FILE, RUN_LAYOUT } from '../run-dir';
import { StopSignals } from '../signals';
import type { ResolvedTrain, TrainConfig } from './train-config';

interface DoneRecord {
  epochsCompleted: number;
  finishedAt: string;
}

function readDone(runDir: string): DoneRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, DONE_FILE), 'utf8')) as DoneRecord;
  } catch {
    return undefined;
  }
}

/** Why the registry chose a backend, in config.json's words. */
const CHOSEN_BY: Record<ResolvedBackend['source'], string> = {
  option: '--backend',
  env: 'TFBRICKS_BACKEND',
  priority: 'highest priority available',
};

/**
 * The backend this invocation actually trained on and why (config.backend is only what was asked
 * for with --backend: null when the choice came from TFBRICKS_BACKEND or from priority).
 */
function backendRecord(backend: ResolvedBackend): Record<string, unknown> {
  return {
    name: backend.name,
    chosenBy: CHOSEN_BY[backend.source] ?? backend.source,
    device: backend.device.description,
    software: backend.device.software ?? null,
    passedOver: backend.passedOver,
  };
}

function prepareRunDir(resolved: ResolvedTrain, backend: ResolvedBackend): void {
  const { config, mode } = resolved;
  if (mode === 'overwrite') {
    for (const entry of readdirSync(config.runDir)) rmSync(join(config.runDir, entry), { recursive: true, force: true });
  }
  mkdirSync(config.runDir, { recursive: true });
  writeFileAtomic(join(config.runDir, CONFIG_FILE), `${JSON.stringify({ tfbricksRun: 1, config, backendUsed: backendRecord(backend) }, null, 2)}\n`);
}

function progressMode(resolved: ResolvedTrain, isTTY: boolean | undefined): ProgressMode {
  if (resolved.progress === 'auto') return isTTY ? 'bar' : 'epoch';
  return resolved.progress;
}

/** Run `train` after validation: backend, data, model, fit, artefacts. */
export async function runTraining(resolved: ResolvedTrain, ctx: CommandContext): Promise<number> {
  const { config } = resolved;
  const { io } = ctx;
  const out = io.stdout;

  const done = resolved.mode === 'continue' ? readDone(config.runDir) : undefined;
  if (done && done.epochsCompleted >= config.epochs) {
    println(out, `run ${config.runDir} is already complete (${done.epochsCompleted} epochs); nothing to do`);
    return 0;
  }

  const backend = await ctx.registry.resolve(config.backend ? { backend: config.backend } : {});
  println(out, describeResolution(backend));

  const signals = new StopSignals(io);
  try {
    const data = await loadData(config, io, signals.signal);
    for (const line of describeData(data)) println(out, line);
    if (signals.exitCode !== undefined) return signals.exitCode;

    prepareRunDir(resolved, backend);
    const spec = specFor(config.model, { numClasses: data.classNames.length, inputShape: data.imageShape });
    await writeModelPlots(join(config.runDir, RUN_LAYOUT.modelPlot), spec);

    // A finished run keeps its backup (deleteOnEnd: false), so asking for more epochs
    // continues from the final weights and optimizer state.
    if (done) rmSync(join(config.runDir, DONE_FILE), { force: true });
    const model = buildModel(spec, { seed: config.seed });
    const optimizer = createOptimizer(config.optimizer, { learningRate: config.learningRate });
    io.stdout.write(summary(spec));

    const augmentation = config.augment ? await (await import('../augmentation')).createAugmentation(config.augmentation, data) : undefined;
    const mode = progressMode(resolved, out.isTTY);
    const callbacks: Callback[] = [
      new ProgressReporter(out, mode),
      new CSVLogger(join(config.runDir, RUN_LAYOUT.metrics)),
      new TensorBoard(join(config.runDir, RUN_LAYOUT.tensorboard)),
      new ModelCheckpoint(join(config.runDir, RUN_LAYOUT.checkpoints, 'epoch-{epoch:03d}'), { keepLast: 3, stateKey: 'checkpoint-last' }),
      new ModelCheckpoint(join(config.runDir, RUN_LAYOUT.checkpoints, 'best'), {
        monitor: 'val_acc',
        saveBestOnly: true,
        stateKey: 'checkpoint-best',
      }),
      new BackupAndRestore(join(config.runDir, RUN_LAYOUT.backup), { deleteOnEnd: false }),
    ];
    const validation = data.validation ?? data.test;
    const result = await fit({
      model,
      optimizer,
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
      train: { images: data.train.images, labels: data.train.labels, imageShape: data.imageShape },
      validation: { images: validation.images, labels: validation.labels, imageShape: data.imageShape },
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      augmentation,
      callbacks,
      signal: signals.signal,
    });

    if (result.stopReason === 'signal') {
      println(io.stderr, `tfbricks: interrupted after ${result.epochsCompleted} epoch(s); checkpoint in ${join(config.runDir, RUN_LAYOUT.backup)}`);
      println(io.stderr, `resume with: tfbricks train --resume ${config.runDir}`);
      return signals.exitCode ?? 130;
    }

    await finishRun(config, data, model, optimizer, result.epochsCompleted, result.history, ctx);
    return 0;
  } catch (error) {
    // Interrupted before training started (download, parsing): no checkpoint to write.
    if (signals.exitCode !== undefined) {
      println(io.stderr, `tfbricks: interrupted before training started (${(error as Error).message.split('\n')[0]})`);
      return signals.exitCode;
    }
    throw error;
  } finally {
    signals.dispose();
  }
}

async function finishRun(
  config: TrainConfig,
  data: LoadedData,
  model: LayersModel,
  optimizer: tf.Optimizer,
  epochsCompleted: number,
  history: { epoch: number[]; history: Record<string, number[]> },
  ctx: CommandContext,
): Promise<void> {
  const { io } = ctx;
  const runDir = config.runDir;
  const metadata = {
    classNames: data.classNames,
    dataset: config.dataset,
    labelMode: config.labelMode,
    epochsCompleted,
    seed: config.seed,
  };
  await saveModel(join(runDir, RUN_LAYOUT.finalModel), model, { optimizer, metadata });
  const curves = await renderTrainingCurves(readHistory(join(runDir, RUN_LAYOUT.metrics)) ?? history);
  writeFileAtomic(join(runDir, `${RUN_LAYOUT.curves}.svg`), curves.svg);
  writeFileAtomic(join(runDir, `${RUN_LAYOUT.curves}.png`), curves.png);

  const result = await evaluate(model, { images: data.test.images, labels: data.test.labels, imageShape: data.imageShape }, { batchSize: 256 });
  printEvaluation(io.stdout, result, data.classNames);
  writeEvaluationReport(
    join(runDir, RUN_LAYOUT.evaluation),
    result,
    data.classNames,
    { split: 'test', model: join(runDir, RUN_LAYOUT.finalModel), epochs: epochsCompleted },
    await renderConfusionMatrix(result.confusionMatrix, data.classNames),
  );
  writeFileAtomic(join(runDir, DONE_FILE), `${JSON.stringify({ epochsCompleted, finishedAt: new Date().toISOString() })}\n`);
  println(io.stdout, `run saved in ${runDir}`);
}

/** The full history from metrics.csv (it spans resumes; fit's history may not). */
function readHistory(path: string): { epoch: number[]; history: Record<string, number[]> } | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return undefined;
  const header = lines[0].split(',');
  const history: Record<string, number[]> = {};
  const epoch: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    epoch.push(Number(cells[0]));
    header.slice(1).forEach((key, i) => (history[key] ??= []).push(Number(cells[i + 1])));
  }
  return { epoch, history };
}
