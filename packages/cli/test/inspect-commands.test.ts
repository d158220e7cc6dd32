import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasMiniCifar, listTree, miniCifar, runChild, runCli, tempDir } from './helpers';

describe('summary', () => {
  it('prints the seed model table like Keras (1,071,542 params)', async () => {
    const cwd = tempDir();
    const r = await runCli(['summary'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('conv2d_1 (Conv2D)            (None, 32, 32, 32)        896');
    expect(r.stdout).toContain('Total params: 1,071,542');
    expect(listTree(cwd)).toEqual([]);
  });

  it('shapes a zoo model for cifar100', async () => {
    const r = await runCli(['summary', '--model', 'keras-cifar10-deep', '--dataset', 'cifar100'], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dense_2 \(Dense\)\s+\(None, 100\)\s+50100/);
  });
});

describe('backends', () => {
  it('lists every registered backend, available or not and why', async () => {
    const r = await runCli(['backends', '--json'], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as { auto: string; autoReason: string | null; backends: { name: string; available: boolean; reason?: string; device?: { description: string; software?: boolean } }[] };
    const names = parsed.backends.map((b) => b.name);
    expect(names).toEqual(['cuda', 'webgpu', 'wasm', 'cpu']);
    const cpu = parsed.backends.find((b) => b.name === 'cpu')!;
    expect(cpu.available).toBe(true);
    expect(cpu.device?.description).toMatch(/CPU/);
    const wasm = parsed.backends.find((b) => b.name === 'wasm')!;
    expect(wasm.available, wasm.reason).toBe(true);
    expect(wasm.device?.description).toMatch(/^WebAssembly CPU, tfbricks kernels \(SIMD128( \+ FMA)?, \d threads?\) \+ XNNPACK \(1 thread\), Node /);
    for (const b of parsed.backends) if (!b.available) expect(b.reason).toBeTruthy();
    // The automatic choice is the one `train` would make: wasm over a software WebGPU adapter.
    const webgpu = parsed.backends.find((b) => b.name === 'webgpu')!;
    if (webgpu.available && webgpu.device?.software) {
      expect(parsed.auto).toBe('wasm');
      expect(parsed.autoReason).toBe("faster than webgpu's software adapter");
    }
  });
});

describe.skipIf(!hasMiniCifar)('dataset inspect', () => {
  it('counts images per class per split', async () => {
    if (!hasMiniCifar) console.log(`skipped: ${miniCifar} is absent`);
    const r = await runCli(['dataset', 'inspect', '--data-dir', miniCifar, '--json'], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as { splits: { train: number; test: number }; classes: { name: string; train: number; test: number }[] };
    expect(parsed.splits).toEqual({ train: 5000, test: 1000 });
    expect(parsed.classes).toHaveLength(10);
    expect(parsed.classes[0].name).toBe('airplane');
    expect(parsed.classes.reduce((a, c) => a + c.train, 0)).toBe(5000);
    expect(parsed.classes.reduce((a, c) => a + c.test, 0)).toBe(1000);
  });
});

describe('help and version', () => {
  it('--help prints usage to stdout and exits 0; --version prints the package version', async () => {
    const help = await runCli(['train', '--help'], { cwd: tempDir() });
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('--batch-size <n>');
    expect(help.stdout).toContain('--no-augment');
    const version = await runCli(['--version'], { cwd: tempDir() });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--version and --help do not load tfjs (a child process, with a resolve hook that reports tfjs-core)', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'hooks.mjs'),
      "export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('@tensorflow/tfjs')) process.stderr.write('LOADED ' + r.url + '\\n'); return r; }\n",
    );
    writeFileSync(join(dir, 'trace.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    const env = { NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'trace.mjs')).href}` };
    for (const flag of ['--version', '--help']) {
      const r = await runChild([flag], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      expect(r.stderr, `tfbricks ${flag}`).not.toContain('LOADED');
    }
    // The hook does report tfjs where a command needs it (so the check above can fail).
    const backends = await runChild(['backends', '--json'], { cwd: dir, env });
    expect(backends.stderr).toContain('LOADED');
  }, 120_000);
});
