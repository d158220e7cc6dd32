import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TfbricksError } from '@tfbricks/core';
import { objectiveChart } from '../chart';
import { type Leaderboard, leaderboard, leaderboardCsv, leaderboardJson } from '../leaderboard';
import { writeFileAtomic, writeJsonAtomic } from '@tfbricks/core/node';
import { SWEEP_LAYOUT, type SweepStore } from './store';

/** Render SVG text to PNG with resvg (loaded only here). */
async function svgToPng(svg: string): Promise<Uint8Array> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (error) {
    throw new TfbricksError('E_SWEEP_PNG', `cannot load @resvg/resvg-js to render the sweep picture: ${(error as Error).message}`, {
      hint: 'install @resvg/resvg-js for your platform; the leaderboard, the SVG and the best model are written anyway',
    });
  }
  const resvg = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return new Uint8Array(resvg.render().asPng());
}

/** Copy the best trial's final model to `D/best` (copy beside it, then swap in). */
function copyBest(store: SweepStore, best: string): void {
  const source = join(store.runDir(best), 'model');
  if (!existsSync(source)) return;
  const target = join(store.dir, SWEEP_LAYOUT.best);
  const tmp = join(store.dir, `.best.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  cpSync(source, tmp, { recursive: true });
  writeJsonAtomic(join(tmp, 'trial.json'), { trial: best, params: store.plan(best).params, record: store.read(best) });
  rmSync(target, { recursive: true, force: true });
  try {
    renameSync(tmp, target);
  } catch {
    // another finisher (a worker) swapped its copy in first: the same files
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Write the results: leaderboard CSV and JSON, the objective picture (SVG, PNG) and the best model in `D/best`. */
export async function writeResults(store: SweepStore): Promise<Leaderboard> {
  const trials = store.all();
  const board = leaderboard(store.spec, trials);
  writeFileAtomic(join(store.dir, SWEEP_LAYOUT.leaderboardCsv), leaderboardCsv(board));
  writeJsonAtomic(join(store.dir, SWEEP_LAYOUT.leaderboardJson), { sweep: store.id, ...leaderboardJson(board, trials) });
  const svg = objectiveChart(board);
  writeFileAtomic(join(store.dir, `${SWEEP_LAYOUT.chart}.svg`), svg);
  if (board.best) copyBest(store, board.best);
  writeFileAtomic(join(store.dir, `${SWEEP_LAYOUT.chart}.png`), await svgToPng(svg));
  return board;
}
