import { usageError } from '@tfbricks/core';

export type MonitorMode = 'auto' | 'min' | 'max';

/** Keras' rule for `mode: 'auto'`: accuracy-like metrics are maximised, others minimised. */
export function resolveMode(monitor: string, mode: MonitorMode | undefined, who: string): 'min' | 'max' {
  const m = mode ?? 'auto';
  if (m !== 'auto' && m !== 'min' && m !== 'max') {
    throw usageError('E_CALLBACK_OPTIONS', `${who}: option "mode" is "${String(m)}"; allowed: auto, min, max`);
  }
  if (m !== 'auto') return m;
  return /acc|auc|precision|recall/.test(monitor) ? 'max' : 'min';
}

export function checkMonitor(monitor: unknown, who: string): string {
  if (typeof monitor !== 'string' || monitor.trim() === '') {
    throw usageError('E_CALLBACK_OPTIONS', `${who}: option "monitor" must be a log key such as val_loss, got ${JSON.stringify(monitor)}`);
  }
  return monitor;
}

export function checkNumber(value: unknown, name: string, who: string, min: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw usageError(
      'E_CALLBACK_OPTIONS',
      `${who}: option "${name}" must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The monitored value of `logs`, or throws naming the keys that exist. */
export function monitored(logs: Record<string, number>, monitor: string, who: string): number {
  const v = logs[monitor];
  if (v === undefined) {
    throw usageError(
      'E_CALLBACK_MONITOR',
      `${who}: monitored metric "${monitor}" is not in the epoch logs; available: ${Object.keys(logs).join(', ')}`,
      monitor.startsWith('val_') ? 'pass a validation source to fit(), or monitor a training metric such as loss' : undefined,
    );
  }
  return v;
}

/** JSON can't hold ±Infinity/NaN: encode them as strings. */
export function encodeNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

export function decodeNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number.NaN;
}
