import type { CliIo } from './io';
import { println } from './io';

/**
 * SIGINT/SIGTERM during training: the first asks training to stop after the current
 * batch (a checkpoint is written, the CLI exits 130/143); a second exits at once. All
 * writes are atomic (temporary file + rename), so exiting at any point corrupts nothing.
 */
export class StopSignals {
  readonly controller = new AbortController();
  /** 130 after SIGINT, 143 after SIGTERM, undefined while not signalled. */
  exitCode: number | undefined;
  private readonly listeners: [('SIGINT' | 'SIGTERM'), () => void][] = [];

  constructor(private readonly io: CliIo) {
    const proc = io.process;
    if (!proc) return;
    for (const [sig, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const listener = () => {
        if (this.exitCode !== undefined) {
          println(io.stderr, `\ntfbricks: ${sig} again: exiting now (the last checkpoint is intact)`);
          proc.exit(this.exitCode);
        }
        this.exitCode = code;
        println(io.stderr, `\ntfbricks: ${sig}: finishing the current batch and writing a checkpoint (send it again to exit at once)`);
        this.controller.abort();
      };
      proc.on(sig, listener);
      this.listeners.push([sig, listener]);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    for (const [sig, listener] of this.listeners) this.io.process?.off(sig, listener);
    this.listeners.length = 0;
  }
}
