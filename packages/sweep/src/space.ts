import { Rng } from '@tfbricks/core';
import { type FlagValue, type RangeSpec, type SweepSpec, type TrialPlan, isRange } from './spec';

/** Trial ids sort in trial order: t000, t001, … */
export function trialId(index: number, count: number): string {
  return `t${String(index).padStart(Math.max(3, String(count - 1).length), '0')}`;
}

/** The grid in order: the first space key varies slowest, the last fastest. */
function gridPoints(space: SweepSpec['space'], limit: number): Record<string, FlagValue>[] {
  const keys = Object.keys(space);
  const dims = keys.map((k) => space[k] as readonly FlagValue[]);
  const points: Record<string, FlagValue>[] = [];
  const idx = keys.map(() => 0);
  while (points.length < limit) {
    points.push(Object.fromEntries(keys.map((k, i) => [k, dims[i][idx[i]]])));
    let d = keys.length - 1;
    while (d >= 0 && ++idx[d] === dims[d].length) idx[d--] = 0;
    if (d < 0) break;
  }
  return points;
}

function draw(rng: Rng, dim: RangeSpec): number {
  const u = rng.next();
  let v = dim.log ? Math.exp(Math.log(dim.min) + u * (Math.log(dim.max) - Math.log(dim.min))) : dim.min + u * (dim.max - dim.min);
  if (dim.integer) v = Math.min(Math.floor(dim.max), Math.max(Math.ceil(dim.min), Math.round(v)));
  // Short decimal text on the command line and in tables (6 significant digits).
  return dim.integer ? v : Number(v.toPrecision(6));
}

/** Seeded random search: each trial draws every dimension in key order from one `Rng(seed)`. */
function randomPoints(space: SweepSpec['space'], count: number, seed: number): Record<string, FlagValue>[] {
  const rng = new Rng(seed);
  const points: Record<string, FlagValue>[] = [];
  for (let t = 0; t < count; t++) {
    const point: Record<string, FlagValue> = {};
    for (const [key, dim] of Object.entries(space)) point[key] = isRange(dim) ? draw(rng, dim) : dim[rng.int(0, dim.length)];
    points.push(point);
  }
  return points;
}

/** The trials of a sweep, in order (deterministic: the same spec always gives the same trials). */
export function planTrials(spec: SweepSpec): TrialPlan[] {
  const points = spec.method === 'grid' ? gridPoints(spec.space, spec.trials) : randomPoints(spec.space, spec.trials, spec.seed);
  return points.map((params, index) => ({ id: trialId(index, points.length), index, params }));
}
