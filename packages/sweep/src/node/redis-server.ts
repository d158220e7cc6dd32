import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server this process started on 127.0.0.1 (tests, local trials): no persistence unless asked. */
export interface LocalRedis {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL the server (what a crash does); `start()` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stop it and remove its temp dir. */
  stop(): Promise<void>;
}

/** The redis-server binary: $TFBRICKS_REDIS_SERVER, else redis-server on PATH; undefined when absent. */
export function findRedisServer(env: Record<string, string | undefined> = process.env): string | undefined {
  const bin = env.TFBRICKS_REDIS_SERVER ?? 'redis-server';
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? bin : undefined;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function launch(bin: string, port: number, dir: string, appendonly: boolean): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', appendonly ? 'yes' : 'no', '--protected-mode', 'yes', '--daemonize', 'no'];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on 127.0.0.1:${port} within 10 s: ${out.slice(-500)}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}: ${out.slice(-500)}`));
    });
  });
}

function exited(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Start redis-server on a free 127.0.0.1 port with a temp dir, `--save ''` and (unless `appendonly`) no AOF. */
export async function startLocalRedis(options: { bin?: string; appendonly?: boolean } = {}): Promise<LocalRedis> {
  const bin = options.bin ?? findRedisServer();
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server, or set TFBRICKS_REDIS_SERVER)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tfbricks-redis-'));
  let child: ChildProcess | undefined = await launch(bin, port, dir, options.appendonly ?? false);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill: async () => {
      await exited(child, 'SIGKILL');
      child = undefined;
    },
    start: async () => {
      child = await launch(bin, port, dir, options.appendonly ?? false);
    },
    stop: async () => {
      await exited(child, 'SIGTERM');
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
