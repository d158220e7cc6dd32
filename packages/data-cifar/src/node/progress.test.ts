import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from './progress';
import type { ProgressEvent } from '../types';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  Object.assign(s, { isTTY, columns: 100, rows: 30, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true });
  return { stream: s, text: () => out };
}

async function runPhases(mode: 'auto' | 'bar' | 'lines' | false, isTTY: boolean, onProgress?: (e: ProgressEvent) => void) {
  const { stream, text } = fakeStream(isTTY);
  const reporter = createReporter('cifar10', onProgress, mode, stream);
  const phase = reporter.phase('download', 1000);
  for (let done = 100; done < 1000; done += 100) {
    await new Promise((r) => setTimeout(r, 15));
    phase.update(done);
  }
  phase.finish(1000);
  reporter.close();
  await new Promise((r) => setTimeout(r, 10));
  return text();
}

describe('progress output', () => {
  it('prints nothing when progress is false, but still calls onProgress', async () => {
    const events: ProgressEvent[] = [];
    expect(await runPhases(false, true, (e) => events.push(e))).toBe('');
    expect(events.at(-1)).toMatchObject({ phase: 'download', done: 1000, total: 1000, finished: true, dataset: 'cifar10' });
    expect(events[0].done).toBe(0);
  });

  it('throttles to one event per 100 ms but delivers a suppressed update afterwards', async () => {
    const events: ProgressEvent[] = [];
    const reporter = createReporter('cifar10', (e) => events.push(e), false);
    const phase = reporter.phase('download', 1000);
    phase.update(10);
    phase.update(20);
    expect(events.map((e) => e.done)).toEqual([0, 10]);
    await new Promise((r) => setTimeout(r, 150));
    expect(events.map((e) => e.done)).toEqual([0, 10, 20]);
    phase.update(30);
    phase.finish(40);
    expect(events.map((e) => e.done)).toEqual([0, 10, 20, 40]); // 30 fell inside the interval; finish always emits
    reporter.close();
  });

  it('prints quiet lines (no control characters) when not a terminal', async () => {
    const out = await runPhases('auto', false);
    const lines = out.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(out).not.toMatch(/\u001b|\r/);
    expect(lines.at(-1)).toMatch(/^cifar10: download done 1000 B\/1000 B \(100%\), .*\/s$/);
  });

  it('draws a cli-progress bar with bytes, rate and ETA on a terminal', async () => {
    const out = await runPhases('auto', true);
    expect(out).toMatch(/cifar10 download \[[^\]]*\] 100% \| 1000 B\/1000 B \| .*\/s \| ETA/);
  });
});
