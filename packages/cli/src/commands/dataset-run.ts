import { CIFAR10_SPEC, CIFAR100_SPEC } from '@tfbricks/data-cifar';
import { inspectFolder } from '@tfbricks/data-cifar/node';
import { datasetFolder, loadData } from '../data';
import { println } from '../io';
import type { CommandContext } from '../command';
import type { DatasetPlan } from './dataset-plan';

function countsPerClass(labels: Uint8Array, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

/** `dataset download|verify|inspect`. */
export async function runDataset(plan: DatasetPlan, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const spec = plan.dataset === 'cifar10' ? CIFAR10_SPEC : CIFAR100_SPEC;
  const data = await loadData(
    { dataset: plan.dataset, labelMode: plan.labelMode, dataDir: plan.dataDir, limitTrain: null, limitTest: null, validationSplit: 0 },
    io,
  );
  const files = await inspectFolder(spec, datasetFolder(plan.dataset, data.source));
  const n = data.classNames.length;
  const train = countsPerClass(data.train.labels, n);
  const test = countsPerClass(data.test.labels, n);
  const official = data.train.count === spec.records.train && data.test.count === spec.records.test;
  if (plan.json) {
    println(
      io.stdout,
      JSON.stringify(
        {
          dataset: plan.dataset,
          labelMode: plan.dataset === 'cifar100' ? plan.labelMode : undefined,
          source: data.source,
          files: files.map((f) => ({ split: f.split, name: f.name, size: f.size, records: f.records })),
          splits: { train: data.train.count, test: data.test.count },
          official,
          classes: data.classNames.map((name, i) => ({ name, train: train[i], test: test[i] })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const verb = plan.action === 'download' ? 'available' : plan.action === 'verify' ? 'verified' : 'inspected';
  println(io.stdout, `${plan.dataset}: ${verb} in ${data.source}`);
  for (const f of files) println(io.stdout, `  ${f.split.padEnd(5)} ${f.name.padEnd(20)} ${String(f.records).padStart(6)} records  ${f.size} bytes`);
  println(io.stdout, `  train ${data.train.count} images, test ${data.test.count} images${official ? ' (the official counts)' : ` (official: ${spec.records.train}/${spec.records.test})`}`);
  if (plan.action === 'download') return 0;
  const width = Math.max(5, ...data.classNames.map((c) => c.length));
  println(io.stdout, `  ${'class'.padEnd(width)}  ${'train'.padStart(6)}  ${'test'.padStart(6)}`);
  data.classNames.forEach((name, i) => println(io.stdout, `  ${name.padEnd(width)}  ${String(train[i]).padStart(6)}  ${String(test[i]).padStart(6)}`));
  return 0;
}
