import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs the example the way a user does (`pnpm start` = `tsx src/main.ts`) in a child process
// with different TFBRICKS_BACKEND values, and checks what it prints and its exit code.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const requireWebgpu = process.env.TFBRICKS_REQUIRE_WEBGPU === '1';

function start(backend: string | undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.TFBRICKS_BACKEND;
  if (backend !== undefined) env.TFBRICKS_BACKEND = backend;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function losses(stdout: string): number[] {
  return [...stdout.matchAll(/^epoch \d+: loss ([0-9.]+)/gm)].map((m) => Number(m[1]));
}

describe('examples/registry-basic', () => {
  it('unset: picks the best available backend, says why cuda was passed over, and trains (loss falls)', async () => {
    const r = await start(undefined);
    console.info(`[example] unset:\n${r.stdout}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('registered backends: cuda (priority 100), webgpu (priority 50), cpu (priority 0)');
    expect(r.stdout).toMatch(/^backend: (webgpu|cpu|cuda) \(highest priority available\) on /m);
    if (requireWebgpu) expect(r.stdout).toMatch(/^backend: (webgpu|cuda) /m);
    if (/^backend: (webgpu|cpu) /m.test(r.stdout)) expect(r.stdout).toContain('passed over: [cuda]');
    const l = losses(r.stdout);
    expect(l.length).toBe(8);
    expect(l[l.length - 1]).toBeLessThan(l[0] * 0.5);
    expect(r.stdout).toMatch(/^trained on \w+ \(tfjs backend "\w+"\)/m);
  }, 120_000);

  it('TFBRICKS_BACKEND=cpu trains on cpu', async () => {
    const r = await start('cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('backend: cpu (from TFBRICKS_BACKEND)');
    expect(r.stdout).toContain('trained on cpu (tfjs backend "cpu")');
  }, 120_000);

  it('TFBRICKS_BACKEND=nonsense exits 2 listing the valid names', async () => {
    const r = await start('nonsense');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E_BACKEND_UNKNOWN]: unknown backend "nonsense" (from TFBRICKS_BACKEND); registered backends: cuda, webgpu, cpu');
    expect(r.stdout).not.toContain('epoch');
  }, 120_000);

  it('TFBRICKS_BACKEND=cuda without tfjs-node-gpu exits 1 with the reason and the fix', async (ctx) => {
    const r = await start('cuda');
    if (r.code === 0) ctx.skip('cuda is usable on this machine');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_BACKEND_INIT]: backend "cuda" (requested by TFBRICKS_BACKEND) is not usable');
    expect(r.stderr).toContain('hint: ');
    expect(r.stderr).toMatch(/pnpm add @tensorflow\/tfjs-node-gpu|CUDA 11\.2/);
  }, 120_000);
});
