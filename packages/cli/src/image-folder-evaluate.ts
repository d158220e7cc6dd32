import type { LayersModel } from '@tensorflow/tfjs-layers';
import { evaluate } from '@tfbricks/train';
import { renderConfusionMatrix } from '@tfbricks/train/node';
import type { CommandContext } from './command';
import type { EvaluatePlan } from './commands/evaluate-plan';
import type { TrainConfig } from './commands/train-config';
import { printEvaluation, writeEvaluationReport } from './evaluation-report';
import { openImageFolder } from './image-folder-data';
import { println } from './io';

/**
 * `evaluate <run>` for a run trained on a folder of class subfolders: the same folder,
 * split with the run's seed and validation split (Keras 3's split), evaluated on the
 * validation subset (the whole folder when the run had none), with its class names.
 */
export async function evaluateOnFolder(plan: EvaluatePlan, run: TrainConfig, loaded: { model: LayersModel; classNames?: string[] | null }, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const dataDir = plan.dataDir ?? run.dataDir!;
  const quiet = plan.json ? { ...io, stdout: { write: () => true, isTTY: false } as unknown as typeof io.stdout } : io;
  const data = await openImageFolder({ dataDir, imageSize: run.imageSize!, validationSplit: run.validationSplit, seed: run.seed, skipBadImages: run.skipBadImages ?? false }, quiet);
  const result = await evaluate(loaded.model, data.evaluation, { batchSize: plan.batchSize });
  const classNames = loaded.classNames ?? data.classNames;
  if (plan.json) println(io.stdout, JSON.stringify({ model: plan.source.modelDir, dataDir, split: data.evaluationSplit, ...result, classNames }, null, 2));
  else {
    println(io.stdout, `${result.count} ${data.evaluationSplit} samples`);
    printEvaluation(io.stdout, result, classNames);
  }
  if (plan.outDir) {
    const files = writeEvaluationReport(plan.outDir, result, classNames, { split: data.evaluationSplit, model: plan.source.modelDir, dataset: dataDir }, await renderConfusionMatrix(result.confusionMatrix, classNames));
    if (!plan.json) println(io.stdout, `report written: ${files.join(', ')}`);
  }
  return 0;
}
