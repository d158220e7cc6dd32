import cliProgress from 'cli-progress';
import type { ProgressCallback, ProgressEvent, ProgressMode } from '../types';
import { formatBytes } from '../util';

export type { ProgressMode } from '../types';

/** Tracks one phase and emits {@link ProgressEvent}s (throttled) to a callback and/or a printer. */
export interface PhaseReporter {
  update(done: number): void;
  finish(done: number): void;
}

export interface Reporter {
  phase(phase: ProgressEvent['phase'], total: number | undefined): PhaseReporter;
  /** Stop any terminal bar (always call when done). */
  close(): void;
}

interface Printer {
  print(event: ProgressEvent): void;
  close(): void;
}

const PHASE_WORDS: Record<ProgressEvent['phase'], string> = {
  download: 'downloading',
  verify: 'verifying',
  extract: 'extracting',
  parse: 'parsing',
};

/** Build a reporter for the options of a load call. */
export function createReporter(
  dataset: string,
  onProgress: ProgressCallback | undefined,
  mode: ProgressMode,
  stream: NodeJS.WriteStream = process.stderr,
): Reporter {
  let printer: Printer | undefined;
  const timers = new Set<() => void>();
  if (mode !== false) {
    const useBar = mode === 'bar' || (mode === 'auto' && stream.isTTY === true);
    printer = useBar ? barPrinter(stream) : linePrinter(stream);
  }
  return {
    phase(phase, total) {
      const start = Date.now();
      let lastEmit = 0;
      let latest = 0;
      let trailing: ReturnType<typeof setTimeout> | undefined;
      const send = (done: number, finished: boolean) => {
        const now = Date.now();
        lastEmit = now;
        const seconds = Math.max((now - start) / 1000, 1e-3);
        const rate = done / seconds;
        const event: ProgressEvent = {
          phase,
          dataset,
          done,
          total,
          rate,
          etaSeconds: total !== undefined && rate > 0 ? Math.max(0, (total - done) / rate) : undefined,
          finished,
        };
        onProgress?.(event);
        printer?.print(event);
      };
      // At most one event per 100 ms; a suppressed update is delivered when the interval ends.
      const emit = (done: number, finished: boolean) => {
        latest = done;
        if (finished) {
          if (trailing !== undefined) clearTimeout(trailing);
          trailing = undefined;
          timers.delete(cancel);
          send(done, true);
          return;
        }
        if (trailing !== undefined) return; // the pending trailing event will carry `latest`
        const wait = 100 - (Date.now() - lastEmit);
        if (wait <= 0) {
          send(done, false);
          return;
        }
        trailing = setTimeout(() => {
          trailing = undefined;
          send(latest, false);
        }, wait);
        trailing.unref?.();
      };
      const cancel = () => {
        if (trailing !== undefined) clearTimeout(trailing);
        trailing = undefined;
      };
      timers.add(cancel);
      send(0, false);
      lastEmit = 0;
      return { update: (done) => emit(done, false), finish: (done) => emit(done, true) };
    },
    close() {
      for (const cancel of timers) cancel();
      timers.clear();
      printer?.close();
    },
  };
}

/** Quiet, line-based output for logs and CI: a line per ~10% or 5 s, and one at the end. */
export function linePrinter(stream: NodeJS.WritableStream): Printer {
  let lastPhase = '';
  let lastTenth = -1;
  let lastTime = 0;
  return {
    print(e) {
      const now = Date.now();
      if (e.phase !== lastPhase) {
        lastPhase = e.phase;
        lastTenth = -1;
        lastTime = 0;
      }
      const tenth = e.total ? Math.floor((10 * e.done) / e.total) : -1;
      if (!e.finished && tenth === lastTenth && now - lastTime < 5000) return;
      if (!e.finished && e.done === 0 && lastTime !== 0) return;
      lastTenth = tenth;
      lastTime = now;
      const pct = e.total ? ` (${Math.floor((100 * e.done) / e.total)}%)` : '';
      const of = e.total !== undefined ? `/${formatBytes(e.total)}` : '';
      const eta = !e.finished && e.etaSeconds !== undefined ? `, ETA ${Math.ceil(e.etaSeconds)}s` : '';
      const verb = e.finished ? 'done' : PHASE_WORDS[e.phase];
      stream.write(`${e.dataset}: ${e.phase} ${verb} ${formatBytes(e.done)}${of}${pct}, ${formatBytes(Math.round(e.rate))}/s${eta}\n`);
    },
    close() {},
  };
}

/** A `cli-progress` bar on a terminal: bytes, rate and ETA. */
function barPrinter(stream: NodeJS.WriteStream): Printer {
  let bar: cliProgress.SingleBar | undefined;
  let phase = '';
  return {
    print(e) {
      if (e.phase !== phase || !bar) {
        bar?.stop();
        phase = e.phase;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${e.dataset} ${e.phase} [{bar}] {percentage}% | {doneH}/{totalH} | {rateH}/s | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(e.total ?? 0, e.done, payload(e));
      }
      if (e.total !== undefined) bar.setTotal(e.total);
      bar.update(e.done, payload(e));
      if (e.finished) {
        bar.stop();
        bar = undefined;
        phase = '';
      }
    },
    close() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function payload(e: ProgressEvent): Record<string, string> {
  return {
    doneH: formatBytes(e.done),
    totalH: e.total !== undefined ? formatBytes(e.total) : '?',
    rateH: formatBytes(Math.round(e.rate)),
  };
}

