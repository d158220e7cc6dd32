import type { Mode, Objective, SweepSpec } from './spec';
import type { TrialRecord } from './trial-record';

/** One row of the leaderboard: a trial with its rank (null while it has no value). */
export interface LeaderboardRow {
  rank: number | null;
  id: string;
  status: TrialRecord['status'];
  params: TrialRecord['params'];
  value: number | null;
  epochs: number;
  attempts: number;
}

export interface Leaderboard {
  objective: Objective;
  mode: Mode;
  /** The id of the best finished trial (done or pruned), null before any finished. */
  best: string | null;
  rows: LeaderboardRow[];
}

const STATUS_ORDER: Record<TrialRecord['status'], number> = { done: 0, pruned: 1, running: 2, failed: 3, pending: 4 };

/**
 * Rank the trials: those with a value by the objective (best first; ties by trial order), then
 * the rest by status and trial order. Completed trials compete for `best`; pruned ones rank by
 * the value they reached but a completed trial is preferred for the best model.
 */
export function leaderboard(spec: Pick<SweepSpec, 'objective' | 'mode'>, trials: readonly TrialRecord[]): Leaderboard {
  const sign = spec.mode === 'max' ? -1 : 1;
  const valued = (t: TrialRecord) => t.value !== null && (t.status === 'done' || t.status === 'pruned' || t.status === 'running');
  const sorted = [...trials].sort((a, b) => {
    const va = valued(a);
    const vb = valued(b);
    if (va && vb && a.value !== b.value) return sign * (a.value! - b.value!);
    if (va !== vb) return va ? -1 : 1;
    if (STATUS_ORDER[a.status] !== STATUS_ORDER[b.status]) return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
    return a.index - b.index;
  });
  let rank = 0;
  const rows = sorted.map((t) => ({
    rank: valued(t) ? ++rank : null,
    id: t.id,
    status: t.status,
    params: t.params,
    value: t.value,
    epochs: t.history.length,
    attempts: t.attempts,
  }));
  const done = sorted.filter((t) => t.status === 'done' && t.value !== null);
  return { objective: spec.objective, mode: spec.mode, best: done[0]?.id ?? null, rows };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  return String(v);
}

function columns(board: Leaderboard): { header: string[]; cells: string[][] } {
  const paramKeys = [...new Set(board.rows.flatMap((r) => Object.keys(r.params)))];
  const header = ['rank', 'trial', 'status', ...paramKeys, board.objective, 'epochs'];
  const cells = board.rows.map((r) => [cell(r.rank), r.id, r.status, ...paramKeys.map((k) => cell(r.params[k])), cell(r.value), String(r.epochs)]);
  return { header, cells };
}

/** The leaderboard as an aligned text table (the best trial is marked with *). */
export function formatLeaderboard(board: Leaderboard): string {
  const { header, cells } = columns(board);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[], mark: string) => `${mark} ${c.map((x, i) => x.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [line(header, ' '), ...cells.map((c) => line(c, c[1] === board.best ? '*' : ' '))].join('\n');
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The leaderboard as CSV (full precision values). */
export function leaderboardCsv(board: Leaderboard): string {
  const paramKeys = [...new Set(board.rows.flatMap((r) => Object.keys(r.params)))];
  const header = ['rank', 'trial', 'status', ...paramKeys, board.objective, 'epochs', 'attempts'];
  const rows = board.rows.map((r) =>
    [r.rank ?? '', r.id, r.status, ...paramKeys.map((k) => r.params[k] ?? ''), r.value ?? '', r.epochs, r.attempts].map((v) => csvCell(String(v))).join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** The leaderboard as the JSON object `sweep status --json` prints: `trials[]` with params, status and the objective's value. */
export function leaderboardJson(board: Leaderboard, trials: readonly TrialRecord[]): Record<string, unknown> {
  const byId = new Map(trials.map((t) => [t.id, t]));
  return {
    objective: board.objective,
    mode: board.mode,
    best: board.best,
    trials: board.rows.map((r) => {
      const t = byId.get(r.id)!;
      return {
        rank: r.rank,
        id: r.id,
        params: r.params,
        status: r.status,
        [board.objective]: r.value,
        value: r.value,
        epochs: r.epochs,
        history: t.history,
        metrics: t.metrics,
        attempts: t.attempts,
        reason: t.reason,
      };
    }),
  };
}
