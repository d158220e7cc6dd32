import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TfbricksError, usageError } from '@tfbricks/core';
import { planTrials } from '../space';
import type { SweepSpec, TrialPlan } from '../spec';
import { type TrialRecord, pendingRecord } from '../trial-record';
import { writeJsonAtomic } from '@tfbricks/core/node';

/** The sweep dir layout (relative to the sweep dir). */
export const SWEEP_LAYOUT = {
  manifest: 'sweep.json',
  state: 'state',
  trials: 'trials',
  leaderboardCsv: 'leaderboard.csv',
  leaderboardJson: 'leaderboard.json',
  chart: 'objective',
  best: 'best',
} as const;

/** `sweep.json`: what the sweep is (its spec and trials) and which tfbricks created it. */
export interface SweepManifest {
  tfbricksSweep: 1;
  /** Hash of the spec: the same file always gives the same id (queue names derive from it). */
  id: string;
  version: string;
  createdAt: string;
  source: string;
  spec: SweepSpec;
  trials: TrialPlan[];
}

export function sweepId(spec: SweepSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}

function readManifest(dir: string): SweepManifest | undefined {
  const file = join(dir, SWEEP_LAYOUT.manifest);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as SweepManifest;
    if (m && m.tfbricksSweep === 1 && typeof m.id === 'string' && Array.isArray(m.trials)) return m;
  } catch {
    // fall through
  }
  throw new TfbricksError('E_SWEEP_DIR', `${file} is not a readable tfbricks sweep manifest`, { hint: 'point --sweep-dir at a directory made by tfbricks sweep, or at a new one' });
}

function differences(a: SweepSpec, b: SweepSpec): string {
  const keys = (Object.keys(b) as (keyof SweepSpec)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return keys.length ? `it differs in ${keys.join(', ')}` : 'its spec differs';
}

/** The sweep dir: the manifest, one state file per trial, one run dir per trial. All writes are atomic. */
export class SweepStore {
  private constructor(
    readonly dir: string,
    readonly manifest: SweepManifest,
  ) {}

  /**
   * Check (reading only) that `dir` can hold this sweep: new, empty, or the same sweep (to
   * continue it). `flag`/`shown` name the input in the message.
   */
  static check(dir: string, spec: SweepSpec, version: string, shown: string, flag = '--sweep-dir'): 'new' | 'continue' {
    if (!existsSync(dir)) return 'new';
    if (readdirSync(dir).length === 0) return 'new';
    const existing = readManifest(dir);
    if (!existing) {
      throw usageError('E_USAGE', `invalid value for ${flag}: ${JSON.stringify(shown)} holds files that are not a tfbricks sweep (allowed: an empty or new directory, or the dir of this same sweep to continue it)`);
    }
    if (existing.id !== sweepId(spec)) {
      throw usageError(
        'E_USAGE',
        `invalid value for ${flag}: ${JSON.stringify(shown)} is used by another sweep (from ${existing.source}; ${differences(existing.spec, spec)}) (allowed: an empty or new directory, or the dir of this same sweep to continue it)`,
      );
    }
    if (existing.version !== version) {
      throw new TfbricksError('E_SWEEP_VERSION', `the sweep in ${shown} was created by tfbricks ${existing.version}; this is tfbricks ${version}`, {
        hint: `finish it with tfbricks ${existing.version}, or start the sweep in a new --sweep-dir`,
      });
    }
    return 'continue';
  }

  /** Create (or open, when it is the same sweep) the sweep dir; call {@link check} first. */
  static create(dir: string, spec: SweepSpec, version: string, source: string): SweepStore {
    const existing = existsSync(dir) ? readManifest(dir) : undefined;
    if (existing) return new SweepStore(dir, existing);
    mkdirSync(join(dir, SWEEP_LAYOUT.state), { recursive: true });
    mkdirSync(join(dir, SWEEP_LAYOUT.trials), { recursive: true });
    const manifest: SweepManifest = { tfbricksSweep: 1, id: sweepId(spec), version, createdAt: new Date().toISOString(), source, spec, trials: planTrials(spec) };
    // The manifest first: a crash right after leaves a sweep dir that opens (a missing trial state reads as pending).
    writeJsonAtomic(join(dir, SWEEP_LAYOUT.manifest), manifest);
    const store = new SweepStore(dir, manifest);
    for (const t of manifest.trials) if (!existsSync(store.statePath(t.id))) store.write(pendingRecord(t.id, t.index, t.params));
    return store;
  }

  /** Open an existing sweep dir (workers, `sweep status`); undefined when it holds no sweep yet. */
  static open(dir: string): SweepStore | undefined {
    const manifest = readManifest(dir);
    return manifest ? new SweepStore(dir, manifest) : undefined;
  }

  get spec(): SweepSpec {
    return this.manifest.spec;
  }

  get id(): string {
    return this.manifest.id;
  }

  plan(id: string): TrialPlan {
    const t = this.manifest.trials.find((p) => p.id === id);
    if (!t) throw new TfbricksError('E_SWEEP_TRIAL', `sweep ${this.dir} has no trial ${JSON.stringify(id)}`);
    return t;
  }

  runDir(id: string): string {
    return join(this.dir, SWEEP_LAYOUT.trials, id);
  }

  statePath(id: string): string {
    return join(this.dir, SWEEP_LAYOUT.state, `${id}.json`);
  }

  /** The trial processes' output (stdout and stderr, appended over attempts). */
  logPath(id: string): string {
    return join(this.dir, SWEEP_LAYOUT.state, `${id}.log`);
  }

  claimPath(id: string): string {
    return join(this.dir, SWEEP_LAYOUT.state, `${id}.claim`);
  }

  read(id: string): TrialRecord {
    const t = this.plan(id);
    try {
      return JSON.parse(readFileSync(this.statePath(id), 'utf8')) as TrialRecord;
    } catch {
      return pendingRecord(t.id, t.index, t.params);
    }
  }

  write(record: TrialRecord): void {
    writeJsonAtomic(this.statePath(record.id), record);
  }

  update(id: string, change: Partial<TrialRecord>): TrialRecord {
    const next = { ...this.read(id), ...change };
    this.write(next);
    return next;
  }

  all(): TrialRecord[] {
    return this.manifest.trials.map((t) => this.read(t.id));
  }
}
