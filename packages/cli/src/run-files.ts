import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from '@tfbricks/core/node';
import { RUN_LAYOUT } from './run-dir';

/** Every name tfbricks writes at the top of a run dir (files and folders). */
function artefactNames(): Set<string> {
  const names = new Set<string>([RUN_LAYOUT.config, RUN_LAYOUT.metrics, RUN_LAYOUT.tensorboard, RUN_LAYOUT.checkpoints, RUN_LAYOUT.backup, RUN_LAYOUT.finalModel, RUN_LAYOUT.evaluation, RUN_LAYOUT.done, RUN_LAYOUT.dataFingerprint, RUN_LAYOUT.classNames]);
  for (const ext of ['svg', 'png']) names.add(`${RUN_LAYOUT.curves}.${ext}`);
  for (const ext of ['svg', 'png', 'dot']) names.add(`${RUN_LAYOUT.modelPlot}.${ext}`);
  return names;
}

/**
 * True for a top-level entry of a run dir that tfbricks wrote: a layout name, a save's
 * `<name>.prev`, or the temporaries of an atomic write of one (`.<name>.tmp-…`, `.<name>.<pid>.tmp`).
 */
export function isRunArtefact(entry: string): boolean {
  const names = artefactNames();
  if (names.has(entry)) return true;
  if (entry.endsWith('.prev') && names.has(entry.slice(0, -'.prev'.length))) return true;
  const tmp = /^\.(.+?)(?:\.tmp-.*|\.\d+\.tmp)$/.exec(entry);
  return tmp !== null && names.has(tmp[1]);
}

/**
 * `--overwrite`: delete what a previous run wrote in `runDir`, and nothing else. Returns the
 * entries kept (the user's own files), so the CLI can say so.
 */
export function removeRunArtefacts(runDir: string): string[] {
  const kept: string[] = [];
  for (const entry of readdirSync(runDir)) {
    if (entry === LOCK_FILE) continue;
    if (isRunArtefact(entry)) rmSync(join(runDir, entry), { recursive: true, force: true });
    else kept.push(entry);
  }
  return kept.sort();
}
