import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-layers';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type ResolvedBackend, type TfbricksError, describeResolution } from '@tfbricks/core';
import { buildModel, createOptimizer, summary } from '@tfbricks/layers';
import { saveModel } from '@tfbricks/layers/node';
import { type Callback, evaluate, fit } from '@tfbricks/train';
import { BackupAndRestore, CSVLogger, ModelCheckpoint, TensorBoard, renderConfusionMatrix, renderTrainingCurves } from '@tfbricks/train/node';
import { writeFileAtomic } from '@tfbricks/core/node';
import { CLASS_NAMES_FILE, type TrainSources, trainSources } from '../image-folder-data';
import { printEvaluation, writeEvaluationReport } from '../evaluation-report';
import { println } from '../io';
import type { CommandContext } from '../command';
import { specFor } from '../models';
import { writeModelPlots } from '../plots';
import { type ProgressMode, ProgressReporter } from '../progress';
import { CONFIG_FILE, DONE_FILE, RUN_LAYOUT } from '../run-dir';
import { removeRunArtefacts } from '../run-files';
import { lockRunDir } from '../run-lock';
import { type DataFingerprint, checkDataFingerprint } from '../data-fingerprint';
import { readFileBoundedSync, readJsonFileSync } from '@tfbricks/core/node';
import { StopSignals } from '../signals';
import type { ResolvedTrain, TrainConfig } from './train-config';

interface DoneRecord {
  epochsCompleted: number;
  finishedAt: string;
}

function readDone(runDir: string): DoneRecord | undefined {
  try {
    return readJsonFileSync(join(runDir, DONE_FILE), { what: 'DONE file', maxBytes: 64 * 1024, maxDepth: 4 }) as DoneRecord;
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

/** Write the run's config and data fingerprint (after every check passed: see runTraining). */
function writeRunRecords(config: TrainConfig, fingerprint: DataFingerprint, backend: ResolvedBackend): void {
  writeFileAtomic(join(config.runDir, CONFIG_FILE), `${JSON.stringify({ tfbricksRun: 1, config, backendUsed: backendRecord(backend) }, null, 2)}\n`);
  writeFileAtomic(join(config.runDir, RUN_LAYOUT.dataFingerprint), `${JSON.stringify({ tfbricksDataFingerprint: 1, files: fingerprint }, null, 2)}\n`);
}

function readFingerprint(runDir: string): DataFingerprint | undefined {
  const path = join(runDir, RUN_LAYOUT.dataFingerprint);
  if (!existsSync(path)) return undefined;
  const parsed = readJsonFileSync(path, { what: 'data fingerprint', maxBytes: 1024 * 1024, maxDepth: 8, code: 'E_RUN_CONFIG' }) as { files?: DataFingerprint };
  return parsed && typeof parsed.files === 'object' && parsed.files !== null ? parsed.files : undefined;
}

/** Checkpoints a damaged backup may be replaced by: `checkpoints/epoch-NNN`, newest first. */
function epochCheckpoints(runDir: string): string[] {
  const dir = join(runDir, RUN_LAYOUT.checkpoints);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^epoch-\d+$/.test(n))
    .sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)))
    .map((n) => join(dir, n));
}

function progressMode(resolved: ResolvedTrain, isTTY: boolean | undefined): ProgressMode {
  if (resolved.progress === 'auto') return isTTY ? 'bar' : 'epoch';
  return resolved.progress;
}

/**
 * Run `train` after validation: lock the run dir, then backend, data, model, fit, artefacts.
 * Nothing in the run dir changes until every check has passed (data fingerprint, backup,
 * seed, model): the run's records are written when training begins (fit's onTrainBegin,
 * after BackupAndRestore restored and checked the backup).
 */
export async function runTraining(resolved: ResolvedTrain, ctx: CommandContext): Promise<number> {
  const lock = lockRunDir(resolved.config.runDir);
  try {
    return await runLocked(resolved, ctx);
  } finally {
    lock.release();
  }
}

async function runLocked(resolved: ResolvedTrain, ctx: CommandContext): Promise<number> {
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
    const data = await trainSources(config, io, signals.signal);
    if (signals.exitCode !== undefined) return signals.exitCode;

    const fingerprint = data.fingerprint();
    if (resolved.mode === 'continue') {
      const saved = readFingerprint(config.runDir);
      // Folder runs started before folders were fingerprinted recorded none ({}): nothing to check.
      if (saved && Object.keys(saved).length > 0) {
        try {
          checkDataFingerprint(saved, fingerprint, config.runDir);
        } catch (error) {
          if (!resolved.dataChangedOk) throw error;
          const difference = String((error as TfbricksError).details?.difference ?? (error as Error).message);
          println(io.stderr, `tfbricks: warning: ${difference}; continuing on the new data (--data-changed-ok)`);
        }
      }
    }

    const spec = specFor(config.model, { numClasses: data.classNames.length, inputShape: data.imageShape });
    const model = buildModel(spec, { seed: config.seed });
    const optimizer = createOptimizer(config.optimizer, { learningRate: config.learningRate });

    if (resolved.mode === 'overwrite') {
      const kept = removeRunArtefacts(config.runDir);
      if (kept.length) println(out, `--overwrite: deleted the previous run's files; kept ${kept.length} that are not tfbricks' (${kept.slice(0, 5).join(', ')}${kept.length > 5 ? ', …' : ''})`);
    }
    // Runs first (fit's onTrainBegin, after BackupAndRestore restored and checked the backup).
    const records: Callback = {
      name: 'RunRecords',
      onTrainBegin: async () => {
        writeRunRecords(config, fingerprint, backend);
        writeFileAtomic(join(config.runDir, CLASS_NAMES_FILE), `${JSON.stringify(data.classNames)}\n`);
        await writeModelPlots(join(config.runDir, RUN_LAYOUT.modelPlot), spec);
        // A finished run keeps its backup (deleteOnEnd: false), so asking for more epochs
        // continues from the final weights and optimizer state.
        if (done) rmSync(join(config.runDir, DONE_FILE), { force: true });
        io.stdout.write(summary(spec));
      },
    };

    const augmentation = config.augment ? await (await import('../augmentation')).createAugmentation(config.augmentation, data, (line) => println(out, line)) : undefined;
    const mode = progressMode(resolved, out.isTTY);
    const callbacks: Callback[] = [
      records,
      new ProgressReporter(out, mode),
      new CSVLogger(join(config.runDir, RUN_LAYOUT.metrics)),
      new TensorBoard(join(config.runDir, RUN_LAYOUT.tensorboard)),
      new ModelCheckpoint(join(config.runDir, RUN_LAYOUT.checkpoints, 'epoch-{epoch:03d}'), { keepLast: 3, stateKey: 'checkpoint-last', savePosition: true }),
      new ModelCheckpoint(join(config.runDir, RUN_LAYOUT.checkpoints, 'best'), {
        monitor: 'val_acc',
        saveBestOnly: true,
        stateKey: 'checkpoint-best',
      }),
      new BackupAndRestore(join(config.runDir, RUN_LAYOUT.backup), {
        deleteOnEnd: false,
        fallback: () => epochCheckpoints(config.runDir),
        log: (line) => {
          if (line.includes('cannot be used') || line.includes('finishing the run')) println(io.stderr, `tfbricks: ${line}`);
        },
      }),
    ];
    const result = await fit({
      model,
      optimizer,
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
      train: data.train,
      validation: data.validation,
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

    const finished = await finishRun(config, data, model, optimizer, result.epochsCompleted, result.history, ctx, () => signals.exitCode !== undefined);
    if (!finished || signals.exitCode !== undefined) {
      println(io.stderr, `tfbricks: interrupted while finishing; the trained weights are in ${join(config.runDir, RUN_LAYOUT.backup)}`);
      println(io.stderr, `finish with: tfbricks train --resume ${config.runDir}`);
      return signals.exitCode ?? 130;
    }
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
  data: TrainSources,
  model: LayersModel,
  optimizer: tf.Optimizer,
  epochsCompleted: number,
  history: { epoch: number[]; history: Record<string, number[]> },
  ctx: CommandContext,
  interrupted: () => boolean,
): Promise<boolean> {
  const { io } = ctx;
  const runDir = config.runDir;
  const metadata = {
    classNames: data.classNames,
    dataset: config.dataset,
    labelMode: config.labelMode,
    ...(config.imageSize ? { imageFolder: { imageSize: config.imageSize, interpolation: 'bilinear' } } : {}),
    epochsCompleted,
    seed: config.seed,
  };
  await saveModel(join(runDir, RUN_LAYOUT.finalModel), model, { optimizer, metadata });
  // A signal here stops before the reports; --resume finishes them from the backup.
  if (interrupted()) return false;
  const curves = await renderTrainingCurves(readHistory(join(runDir, RUN_LAYOUT.metrics)) ?? history);
  writeFileAtomic(join(runDir, `${RUN_LAYOUT.curves}.svg`), curves.svg);
  writeFileAtomic(join(runDir, `${RUN_LAYOUT.curves}.png`), curves.png);

  const result = await evaluate(model, data.evaluation, { batchSize: 256 });
  printEvaluation(io.stdout, result, data.classNames);
  writeEvaluationReport(
    join(runDir, RUN_LAYOUT.evaluation),
    result,
    data.classNames,
    { split: data.evaluationSplit, model: join(runDir, RUN_LAYOUT.finalModel), epochs: epochsCompleted },
    await renderConfusionMatrix(result.confusionMatrix, data.classNames),
  );
  writeFileAtomic(join(runDir, DONE_FILE), `${JSON.stringify({ epochsCompleted, finishedAt: new Date().toISOString() })}\n`);
  println(io.stdout, `run saved in ${runDir}`);
  return true;
}

/** The full history from metrics.csv (it spans resumes; fit's history may not). */
function readHistory(path: string): { epoch: number[]; history: Record<string, number[]> } | undefined {
  if (!existsSync(path)) return undefined;
  const text = new TextDecoder().decode(readFileBoundedSync(path, { what: 'metrics file', maxBytes: 256 * 1024 * 1024 }));
  const lines = text.split('\n').filter((l) => l.trim() !== '');
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
