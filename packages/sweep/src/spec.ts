/** A train flag's value in a sweep file: `"model": "tiny"`, `"epochs": 2`, `"augment": false`. */
export type FlagValue = string | number | boolean;

/** A range for random search: uniform in [min, max], or log-uniform with `log: true`. */
export interface RangeSpec {
  min: number;
  max: number;
  log: boolean;
  /** Round the draw to an integer (batch sizes, epochs). */
  integer: boolean;
}

/** One dimension of the search space: a list of values, or a range (random search only). */
export type SpaceSpec = readonly FlagValue[] | RangeSpec;

/** Median stopping: stop a trial whose best objective so far is worse than the median of the others at the same epoch. */
export interface MedianRule {
  rule: 'median';
  /** Never stop a trial before this many epochs. */
  graceEpochs: number;
  /** Compare only when at least this many other trials have reached the epoch. */
  minTrials: number;
}

/** ASHA-style successive halving: at rungs minEpochs * factor^k, keep the top 1/factor of the trials that reached the rung. */
export interface AshaRule {
  rule: 'asha';
  minEpochs: number;
  reductionFactor: number;
}

export type EarlyStoppingRule = MedianRule | AshaRule;

export type Objective = 'val_acc' | 'val_loss';
export type Mode = 'max' | 'min';

/** A validated sweep file. */
export interface SweepSpec {
  base: Record<string, FlagValue>;
  space: Record<string, SpaceSpec>;
  method: 'grid' | 'random';
  /** Trials to run: the grid size (or fewer) for grid, the draws for random. */
  trials: number;
  seed: number;
  objective: Objective;
  mode: Mode;
  earlyStopping: EarlyStoppingRule | null;
}

/** One trial of a sweep: its id, its position and the flags it changes. */
export interface TrialPlan {
  id: string;
  index: number;
  params: Record<string, FlagValue>;
}

/** The train flags of a trial: the base with the trial's parameters on top. */
export function trialFlags(spec: SweepSpec, trial: TrialPlan): Record<string, FlagValue> {
  return { ...spec.base, ...trial.params };
}

export function isRange(space: SpaceSpec): space is RangeSpec {
  return !Array.isArray(space);
}
