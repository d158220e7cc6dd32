import { mkdirSync } from 'node:fs';
import { escapeCsvField } from '@tfbricks/core';
import { join } from 'node:path';
import { writeFileAtomic } from '@tfbricks/core/node';
import type { CliStream } from './io';
import { println } from './io';

export interface EvaluationNumbers {
  loss: number;
  accuracy: number;
  perClassAccuracy: number[];
  confusionMatrix: number[][];
  count: number;
}

const csvField = escapeCsvField;

/** Print test loss/accuracy (as the tutorial does) and the per-class table. */
export function printEvaluation(out: CliStream, result: EvaluationNumbers, classNames: readonly string[]): void {
  println(out, `Test loss: ${result.loss}`);
  println(out, `Test accuracy: ${result.accuracy}`);
  println(out, `Per-class accuracy on ${result.count} test images:`);
  const width = Math.max(5, ...classNames.map((n) => n.length));
  result.perClassAccuracy.forEach((acc, i) => {
    const total = result.confusionMatrix[i]?.reduce((a, b) => a + b, 0) ?? 0;
    const name = classNames[i] ?? String(i);
    println(out, `  ${name.padEnd(width)}  ${Number.isNaN(acc) ? '  n/a ' : `${(acc * 100).toFixed(1).padStart(5)}%`}  (${total} images)`);
  });
}

/**
 * Write `report.json`, `per-class-accuracy.csv`, `confusion-matrix.csv` and, when given,
 * the confusion-matrix pictures into `dir`.
 */
export function writeEvaluationReport(
  dir: string,
  result: EvaluationNumbers,
  classNames: readonly string[],
  extra: Record<string, unknown>,
  pictures?: { svg: string; png: Uint8Array },
): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeFileAtomic(join(dir, name), data);
    written.push(join(dir, name));
  };
  put(
    'report.json',
    `${JSON.stringify(
      {
        ...extra,
        loss: result.loss,
        accuracy: result.accuracy,
        count: result.count,
        classNames,
        perClassAccuracy: Object.fromEntries(classNames.map((n, i) => [n, Number.isNaN(result.perClassAccuracy[i]) ? null : result.perClassAccuracy[i]])),
        confusionMatrix: result.confusionMatrix,
      },
      null,
      2,
    )}\n`,
  );
  put(
    'per-class-accuracy.csv',
    `class,images,correct,accuracy\n${classNames
      .map((n, i) => {
        const row = result.confusionMatrix[i] ?? [];
        const total = row.reduce((a, b) => a + b, 0);
        return `${csvField(n)},${total},${row[i] ?? 0},${total ? (row[i] ?? 0) / total : ''}`;
      })
      .join('\n')}\n`,
  );
  put(
    'confusion-matrix.csv',
    `true\\predicted,${classNames.map(csvField).join(',')}\n${result.confusionMatrix.map((row, i) => `${csvField(classNames[i] ?? String(i))},${row.join(',')}`).join('\n')}\n`,
  );
  if (pictures) {
    put('confusion-matrix.svg', pictures.svg);
    put('confusion-matrix.png', pictures.png);
  }
  return written;
}
