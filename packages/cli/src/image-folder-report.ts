import { inspectImageFolder } from '@tfbricks/data-images/node';
import type { CommandContext } from './command';
import { println } from './io';

/** `tfbricks dataset <folder>`: classes, images per class, sizes seen, bad files (exit 1 when there are any). */
export async function runFolderReport(dir: string, json: boolean, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const report = await inspectImageFolder(dir);
  if (json) {
    println(io.stdout, JSON.stringify({ ...report, classes: report.classNames.map((name, i) => ({ name, images: report.counts[i] })) }, null, 2));
    return report.bad.length ? 1 : 0;
  }
  println(io.stdout, `Found ${report.files} files belonging to ${report.classNames.length} classes.`);
  const width = Math.max(5, ...report.classNames.map((c) => c.length));
  println(io.stdout, `  ${'class'.padEnd(width)}  ${'images'.padStart(6)}`);
  report.classNames.forEach((name, i) => println(io.stdout, `  ${name.padEnd(width)}  ${String(report.counts[i]).padStart(6)}${report.counts[i] === 0 ? '  (empty)' : ''}`));
  const shown = report.sizes.slice(0, 8).map(([size, n]) => `${size} (${n})`);
  println(io.stdout, `image sizes: ${shown.length ? shown.join(', ') : 'none'}${report.sizes.length > 8 ? `, and ${report.sizes.length - 8} more` : ''}`);
  const names: Record<string, string> = { 1: 'grayscale', 2: 'grayscale+alpha', 3: 'RGB', 4: 'RGBA' };
  println(io.stdout, `channels: ${Object.entries(report.channels).map(([c, n]) => `${names[c] ?? c} (${n})`).join(', ') || 'none'}`);
  if (report.classNames.length === 1) println(io.stdout, 'note: a single class; a classifier needs at least two');
  if (!report.bad.length) {
    println(io.stdout, 'bad files: none');
    return 0;
  }
  println(io.stdout, `bad files: ${report.bad.length}`);
  for (const b of report.bad) println(io.stdout, `  ${b.path}: ${b.reason}`);
  return 1;
}
