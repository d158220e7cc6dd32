import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The rows of a run's metrics.csv (written by the CSVLogger: `epoch,loss,acc,val_loss,val_acc`), or [] before the first epoch. */
export function readMetrics(runDir: string): Record<string, number>[] {
  let text: string;
  try {
    text = readFileSync(join(runDir, 'metrics.csv'), 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return [];
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, Number(cells[i])]));
  });
}
