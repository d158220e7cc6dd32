import { describeResolution } from '@tfbricks/core';
import { evaluate } from '@tfbricks/train';
import { renderConfusionMatrix } from '@tfbricks/train/node';
import { loadData } from '../data';
import { printEvaluation, writeEvaluationReport } from '../evaluation-report';
import { println } from '../io';
import type { CommandContext } from '../command';
import { loadSavedModel } from '../saved-model';
import type { EvaluatePlan } from './evaluate-plan';

/** Evaluate a saved model (a run's final model or a model dir) on the test set. */
export async function runEvaluate(plan: EvaluatePlan, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const backend = await ctx.registry.resolve(plan.backend ? { backend: plan.backend } : {});
  if (!plan.json) println(io.stdout, describeResolution(backend));
  const loaded = await loadSavedModel(plan.source.modelDir, ctx);
  try {
    const run = plan.source.kind === 'run' ? plan.source.config : undefined;
    const meta = loaded.metadata;
    const dataset = plan.dataset ?? run?.dataset ?? (meta.dataset === 'cifar100' ? 'cifar100' : 'cifar10');
    const labelMode = plan.labelMode ?? run?.labelMode ?? (meta.labelMode === 'coarse' ? 'coarse' : 'fine');
    const data = await loadData(
      {
        dataset,
        labelMode,
        dataDir: plan.dataDir ?? run?.dataDir ?? null,
        limitTrain: 1,
        limitTest: plan.limitTest ?? run?.limitTest ?? null,
        validationSplit: 0,
      },
      io,
    );
    const result = await evaluate(loaded.model, { images: data.test.images, labels: data.test.labels, imageShape: data.imageShape }, { batchSize: plan.batchSize });
    const classNames = loaded.classNames ?? data.classNames;
    if (plan.json) {
      println(io.stdout, JSON.stringify({ model: plan.source.modelDir, dataset, ...result, classNames }, null, 2));
    } else {
      println(io.stdout, `${data.test.count} test samples`);
      printEvaluation(io.stdout, result, classNames);
    }
    if (plan.outDir) {
      const files = writeEvaluationReport(plan.outDir, result, classNames, { split: 'test', model: plan.source.modelDir, dataset }, await renderConfusionMatrix(result.confusionMatrix, classNames));
      if (!plan.json) println(io.stdout, `report written: ${files.join(', ')}`);
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
