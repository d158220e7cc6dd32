import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive, writeJsonAtomic } from '@tfbricks/core/node';
import type { SweepStore } from './store';

/** Who runs a trial right now: written next to the trial's state, refreshed while it runs. */
export interface ClaimInfo {
  owner: string;
  host: string;
  pid: number;
  /** The trial's child process, once started. */
  childPid: number | null;
  /** Last refresh, ms since the epoch. */
  heartbeat: number;
}

function pidAlive(pid: number | null): boolean {
  return pid !== null && processAlive(pid);
}

/**
 * A claim is stale when its holder is gone: on this host, when neither the holder nor its
 * trial process is alive; on another host (a shared filesystem), when its heartbeat is
 * older than `staleMs`.
 */
export function isStale(info: ClaimInfo, staleMs: number, now = Date.now()): boolean {
  if (info.host === hostname()) return !pidAlive(info.pid) && !pidAlive(info.childPid);
  return now - info.heartbeat > staleMs;
}

function readClaim(path: string): ClaimInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ClaimInfo;
  } catch {
    return undefined;
  }
}

/** A held claim: refreshes its heartbeat until released. */
export class TrialClaim {
  private timer: NodeJS.Timeout;
  private info: ClaimInfo;

  constructor(
    private readonly path: string,
    info: ClaimInfo,
    refreshMs: number,
  ) {
    this.info = info;
    this.timer = setInterval(() => this.refresh(), refreshMs);
    this.timer.unref();
  }

  setChild(pid: number | null): void {
    this.info = { ...this.info, childPid: pid };
    this.refresh();
  }

  private refresh(): void {
    this.info = { ...this.info, heartbeat: Date.now() };
    try {
      writeJsonAtomic(this.path, this.info);
    } catch {
      // a transient filesystem error: the next refresh tries again
    }
  }

  release(): void {
    clearInterval(this.timer);
    const current = readClaim(this.path);
    if (current && current.owner === this.info.owner && current.pid === this.info.pid) rmSync(this.path, { force: true });
  }
}

export type ClaimResult = { claim: TrialClaim } | { heldBy: ClaimInfo };

/**
 * Claim trial `id` for `owner`: create the claim file exclusively; a stale claim (its holder
 * died, e.g. kill -9) is taken over. Returns who holds it when someone alive does.
 */
export function claimTrial(store: SweepStore, id: string, owner: string, staleMs: number): ClaimResult {
  const path = store.claimPath(id);
  const info: ClaimInfo = { owner, host: hostname(), pid: process.pid, childPid: null, heartbeat: Date.now() };
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(path, `${JSON.stringify(info)}\n`, { flag: 'wx' });
      return { claim: new TrialClaim(path, info, Math.max(250, Math.floor(staleMs / 4))) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = readClaim(path);
    if (held && !isStale(held, staleMs)) return { heldBy: held };
    rmSync(path, { force: true });
  }
  return { heldBy: readClaim(path) ?? { ...info, owner: 'another process (its claim kept changing)' } };
}
