import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command line, for messages. */
  command: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Throw (with the output) when the exit code is not 0. Default true. */
  check?: boolean;
}

/** Run a command without blocking the event loop (the registry may live in this process' children). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const line = [command, ...args].join(' ');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr, command: line };
      if ((options.check ?? true) && code !== 0) {
        reject(new Error(`${line} (in ${options.cwd}) exited with ${code}\n--- stdout\n${stdout.slice(-6000)}\n--- stderr\n${stderr.slice(-6000)}`));
      } else resolvePromise(result);
    });
  });
}

/** process.env without the npm_* / pnpm_* settings of whatever launched the tests. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|COREPACK_|TURBO_|VITEST|NODE_OPTIONS$|TSX_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
