import { sanitizeForTerminal } from '@tfbricks/core';

/** Where the CLI writes and what it reads from its environment; injectable for tests. */
export interface CliStream {
  write(chunk: string): unknown;
  /** True when the stream is an interactive terminal (progress bars instead of lines). */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /**
   * Signal handling for `train`: when given, the CLI installs SIGINT/SIGTERM handlers
   * through it. Tests running in-process leave it out.
   */
  process?: {
    on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
    off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
    exit(code: number): never;
  };
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    process: {
      on: (event, listener) => process.on(event, listener),
      off: (event, listener) => process.off(event, listener),
      exit: (code) => process.exit(code),
    },
  };
}

/**
 * Write one line, safe for a terminal: escape sequences and other control characters in it
 * (from a model's class names, a file name, a hostile value) are shown, never interpreted.
 */
export function println(stream: CliStream, line = ''): void {
  stream.write(`${line.split('\n').map(sanitizeForTerminal).join('\n')}\n`);
}
