import type { TrialRecord } from '../trial-record';
import type { SweepStore } from './store';

function short(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '-' : Number(v.toPrecision(4)).toString();
}

/** One live line per trial epoch: `[t001] epoch 2/3 loss=2.29 val_loss=2.31 val_acc=0.125 (lr=0.01)`. */
export function describeEpoch(store: SweepStore, record: Pick<TrialRecord, 'id' | 'history' | 'metrics'>): string {
  const flags = { ...store.spec.base, ...store.plan(record.id).params };
  const total = flags.epochs ?? '?';
  const m = record.metrics;
  const params = Object.entries(store.plan(record.id).params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `[${record.id}] epoch ${record.history.length}/${total} loss=${short(m.loss)} val_loss=${short(m.val_loss)} val_acc=${short(m.val_acc)} (${params})`;
}
