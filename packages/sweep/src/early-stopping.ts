import type { AshaRule, EarlyStoppingRule, MedianRule, Mode } from './spec';

/** Objective values per epoch (index 0 = epoch 1) of one trial. */
export type History = readonly number[];

export interface StopDecision {
  stop: boolean;
  /** Why, for the log: "val_acc 0.12 < median 0.31 of 4 trials at epoch 2". */
  reason: string;
}

const KEEP: StopDecision = { stop: false, reason: '' };

function better(mode: Mode, a: number, b: number): boolean {
  return mode === 'max' ? a > b : a < b;
}

function bestUpTo(history: History, epochs: number, mode: Mode): number {
  let best = history[0];
  for (let i = 1; i < epochs; i++) if (better(mode, history[i], best)) best = history[i];
  return best;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

/** Median stopping (Golovin et al., Vizier; Optuna's MedianPruner): best so far vs the median of the others' best so far. */
function medianRule(rule: MedianRule, mode: Mode, trial: History, others: History[], objective: string): StopDecision {
  const epoch = trial.length;
  if (epoch <= rule.graceEpochs) return KEEP;
  const peers = others.filter((h) => h.length >= epoch).map((h) => bestUpTo(h, epoch, mode));
  if (peers.length < rule.minTrials) return KEEP;
  const mine = bestUpTo(trial, epoch, mode);
  const med = median(peers);
  if (!better(mode, med, mine)) return KEEP;
  return { stop: true, reason: `${objective} ${fmt(mine)} is worse than the median ${fmt(med)} of ${peers.length} trial(s) at epoch ${epoch}` };
}

/** True when `epoch` is a rung: minEpochs * factor^k. */
function isRung(rule: AshaRule, epoch: number): boolean {
  for (let r = rule.minEpochs; r <= epoch; r *= rule.reductionFactor) if (r === epoch) return true;
  return false;
}

/**
 * Asynchronous successive halving (ASHA, Li et al. 2020; Ray Tune's ASHAScheduler): at each
 * rung a trial goes on only while it is in the top 1/factor of the trials that reached the rung.
 */
function ashaRule(rule: AshaRule, mode: Mode, trial: History, others: History[], objective: string): StopDecision {
  const epoch = trial.length;
  if (!isRung(rule, epoch)) return KEEP;
  const mine = trial[epoch - 1];
  const atRung = [mine, ...others.filter((h) => h.length >= epoch).map((h) => h[epoch - 1])];
  const keep = Math.max(1, Math.floor(atRung.length / rule.reductionFactor));
  const ranked = [...atRung].sort((a, b) => (mode === 'max' ? b - a : a - b));
  const cutoff = ranked[keep - 1];
  if (!better(mode, cutoff, mine)) return KEEP;
  return { stop: true, reason: `${objective} ${fmt(mine)} is not in the top ${keep} of ${atRung.length} trial(s) at rung epoch ${epoch}` };
}

/** Decide, after an epoch of `trial`, whether the rule stops it given the other trials' histories. */
export function decideStop(rule: EarlyStoppingRule | null, mode: Mode, trial: History, others: History[], objective = 'objective'): StopDecision {
  if (!rule || trial.length === 0) return KEEP;
  return rule.rule === 'median' ? medianRule(rule, mode, trial, others, objective) : ashaRule(rule, mode, trial, others, objective);
}
