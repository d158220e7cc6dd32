import { describe, expect, it } from 'vitest';
import { activatedBackend, isSoftwareGpu } from './active-backend';
import type { BackendPlugin } from './backend';
import { TfbricksError, isTfbricksError } from './errors';
import { createBackendRegistry, describeResolution, type TfEngine } from './registry';

function fakeEngine(failSwitch: string[] = []): TfEngine & { active: string | undefined; switches: string[] } {
  const e = {
    active: undefined as string | undefined,
    switches: [] as string[],
    async setBackend(name: string) {
      e.switches.push(name);
      if (failSwitch.includes(name)) return false;
      e.active = name;
      return true;
    },
    getBackend: () => e.active,
  };
  return e;
}

function plugin(name: string, priority: number, fail?: string): BackendPlugin & { calls: number } {
  const p = {
    name,
    tfjsBackend: `tf-${name}`,
    priority,
    description: `fake ${name}`,
    capabilities: { training: true, float32: true, gpu: false },
    calls: 0,
    async init() {
      p.calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new TfbricksError('E_FAKE', fail, { hint: `fix ${name}` });
      return { device: { description: `${name} device` } };
    },
  };
  return p;
}

async function rejection(p: Promise<unknown>): Promise<TfbricksError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  if (!isTfbricksError(e)) throw e;
  return e;
}

describe('backend registry', () => {
  it('picks the highest-priority usable backend and says why others were passed over', async () => {
    const engine = fakeEngine();
    const r = createBackendRegistry({ env: {}, engine })
      .register(plugin('cpu', 0))
      .register(plugin('cuda', 100, 'libcudart.so.11.0 not found'))
      .register(plugin('webgpu', 50));
    const res = await r.resolve();
    expect(res.name).toBe('webgpu');
    expect(res.source).toBe('priority');
    expect(res.passedOver).toEqual([{ name: 'cuda', reason: 'libcudart.so.11.0 not found' }]);
    expect(engine.active).toBe('tf-webgpu');
    expect(describeResolution(res)).toContain('[cuda] libcudart.so.11.0 not found');
  });

  it('never falls back automatically to a negative-priority backend', async () => {
    const r = createBackendRegistry({ env: {}, engine: fakeEngine() })
      .register(plugin('cpu', 0, 'broken'))
      .register(plugin('exotic', -1));
    const e = await rejection(r.resolve());
    expect(e.code).toBe('E_BACKEND_NONE');
    expect(e.message).toContain('[cpu] broken');
    expect(e.message).toContain('[exotic] priority -1');
    // but by name it is fine
    expect((await r.resolve({ backend: 'exotic' })).name).toBe('exotic');
  });

  it('explicit option beats TFBRICKS_BACKEND, which beats priority', async () => {
    const env = { TFBRICKS_BACKEND: 'cpu' };
    const r = createBackendRegistry({ env, engine: fakeEngine() }).register(plugin('cpu', 0)).register(plugin('webgpu', 50));
    expect((await r.resolve()).name).toBe('cpu');
    expect((await r.resolve()).source).toBe('env');
    const opt = await r.resolve({ backend: 'webgpu' });
    expect(opt.name).toBe('webgpu');
    expect(opt.source).toBe('option');
    expect((await r.resolve({ backend: 'auto' })).name).toBe('webgpu');
  });

  it('a backend requested by name that fails is an error with reason and hint, never a fallback', async () => {
    const engine = fakeEngine();
    const r = createBackendRegistry({ env: { TFBRICKS_BACKEND: 'cuda' }, engine })
      .register(plugin('cpu', 0))
      .register(plugin('cuda', 100, 'no GPU visible'));
    const e = await rejection(r.resolve());
    expect(e.code).toBe('E_BACKEND_INIT');
    expect(e.message).toBe('backend "cuda" (requested by TFBRICKS_BACKEND) is not usable: no GPU visible');
    expect(e.hint).toBe('fix cuda');
    expect(e.usage).toBe(false);
    expect(engine.switches).toEqual([]);
  });

  it('an unknown name is a usage error listing the registered names', async () => {
    const r = createBackendRegistry({ env: { TFBRICKS_BACKEND: 'nonsense' }, engine: fakeEngine() })
      .register(plugin('cpu', 0))
      .register(plugin('webgpu', 50));
    const e = await rejection(r.resolve());
    expect(e.code).toBe('E_BACKEND_UNKNOWN');
    expect(e.usage).toBe(true);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('"nonsense"');
    expect(e.message).toContain('webgpu, cpu');
    const e2 = await rejection(r.resolve({ backend: 'gpu' }));
    expect(e2.message).toContain('from the backend option');
  });

  it('runs each init at most once, shares the in-flight promise and remembers failures', async () => {
    const cuda = plugin('cuda', 100, 'no driver');
    const cpu = plugin('cpu', 0);
    const r = createBackendRegistry({ env: {}, engine: fakeEngine() }).register(cuda).register(cpu);
    await Promise.all([r.resolve(), r.resolve(), r.status(), r.init('cuda')]);
    await r.resolve();
    expect(cuda.calls).toBe(1);
    expect(cpu.calls).toBe(1);
    const status = await r.status();
    expect(status).toEqual([
      { name: 'cuda', priority: 100, description: 'fake cuda', available: false, reason: 'no driver' },
      { name: 'cpu', priority: 0, description: 'fake cpu', available: true, device: { description: 'cpu device' } },
    ]);
  });

  it('verifies that tfjs really switched (setBackend resolving false)', async () => {
    const r = createBackendRegistry({ env: {}, engine: fakeEngine(['tf-webgpu']) })
      .register(plugin('cpu', 0))
      .register(plugin('webgpu', 50));
    const res = await r.resolve();
    expect(res.name).toBe('cpu');
    expect(res.passedOver[0].reason).toContain("tf.setBackend('tf-webgpu') returned false");
    const e = await rejection(r.resolve({ backend: 'webgpu' }));
    expect(e.code).toBe('E_BACKEND_SWITCH');
  });

  it('rejects duplicate names, malformed plugins and an empty registry clearly', async () => {
    const r = createBackendRegistry({ env: {}, engine: fakeEngine() });
    const none = await rejection(r.resolve());
    expect(none.code).toBe('E_BACKEND_NONE');
    expect(none.message).toBe('no backend is registered');
    r.register(plugin('cpu', 0));
    expect(() => r.register(plugin('cpu', 1))).toThrow(/already registered/);
    expect(() => r.register({} as BackendPlugin)).toThrow(/backend plugin object/);
    const empty = await rejection(r.resolve({ backend: '  ' }));
    expect(empty.usage).toBe(true);
  });
});

describe('backend registry: a CPU backend faster than a software GPU adapter', () => {
  const gpu = (name: string, priority: number, software: boolean): BackendPlugin => ({
    ...plugin(name, priority),
    capabilities: { training: true, float32: true, gpu: true },
    async init() {
      return { device: { description: `${name} ${software ? 'lavapipe (software adapter)' : 'hardware'}`, software } };
    },
  });
  const fastCpu = (fail?: string): BackendPlugin => ({
    ...plugin('wasm', 25, fail),
    capabilities: { training: true, float32: true, gpu: false, fasterThanSoftwareGpu: true },
  });

  it('auto prefers it over a software adapter and says why; a hardware adapter still wins', async () => {
    const engine = fakeEngine();
    const r = createBackendRegistry({ env: {}, engine }).register(plugin('cpu', 0)).register(gpu('webgpu', 50, true)).register(fastCpu());
    const res = await r.resolve();
    expect(res.name).toBe('wasm');
    expect(engine.switches).toEqual(['tf-wasm']);
    const line = describeResolution(res);
    expect(line).toContain("wasm (faster than webgpu's software adapter)");
    expect(line).toContain('[webgpu] software adapter (webgpu lavapipe (software adapter)): wasm is faster on this CPU');

    const hw = await createBackendRegistry({ env: {}, engine: fakeEngine() }).register(gpu('webgpu', 50, false)).register(fastCpu()).resolve();
    expect(hw.name).toBe('webgpu');
  });

  it('automaticChoice() reports the same pick as resolve() without activating anything, and ignores TFBRICKS_BACKEND', async () => {
    const engine = fakeEngine();
    const r = createBackendRegistry({ env: { TFBRICKS_BACKEND: 'cpu' }, engine }).register(plugin('cpu', 0)).register(gpu('webgpu', 50, true)).register(fastCpu());
    const choice = await r.automaticChoice();
    expect(choice).toMatchObject({ name: 'wasm', source: 'priority', reason: "faster than webgpu's software adapter" });
    expect(engine.switches).toEqual([]);
    const none = createBackendRegistry({ env: {}, engine: fakeEngine() }).register(plugin('cpu', 0, 'broken'));
    expect(await none.automaticChoice()).toBeNull();
  });

  it('a name asked for explicitly still wins, and an unusable fast CPU backend leaves the software adapter chosen', async () => {
    const r = createBackendRegistry({ env: { TFBRICKS_BACKEND: 'webgpu' }, engine: fakeEngine() }).register(gpu('webgpu', 50, true)).register(fastCpu());
    expect((await r.resolve()).name).toBe('webgpu');
    expect((await r.resolve({ backend: 'webgpu' })).source).toBe('option');
    const broken = createBackendRegistry({ env: {}, engine: fakeEngine() }).register(gpu('webgpu', 50, true)).register(fastCpu('no SIMD'));
    const res = await broken.resolve();
    expect(res.name).toBe('webgpu');
    expect(describeResolution(res)).toContain('highest priority available');
  });

  it('records the device of the tfjs backend it activates, for building blocks to read (activatedBackend)', async () => {
    const gpu = { ...plugin('swgpu', 50), capabilities: { training: true, float32: true, gpu: true } };
    gpu.init = async () => ({ device: { description: 'lavapipe', software: true } });
    const r = createBackendRegistry({ env: {}, engine: fakeEngine() }).register(gpu).register(plugin('plaincpu', 0));
    expect(activatedBackend('tf-swgpu')).toBeUndefined();
    await r.resolve({ backend: 'swgpu' });
    const info = activatedBackend('tf-swgpu');
    expect(info).toMatchObject({ name: 'swgpu', tfjsBackend: 'tf-swgpu', device: { description: 'lavapipe', software: true } });
    expect(isSoftwareGpu(info)).toBe(true);
    await r.resolve({ backend: 'plaincpu' });
    expect(activatedBackend('tf-plaincpu')?.device.description).toBe('plaincpu device');
    expect(isSoftwareGpu(activatedBackend('tf-plaincpu'))).toBe(false);
    expect(isSoftwareGpu({ ...info!, device: { description: 'a real GPU', software: false } })).toBe(false);
    // A backend that failed to activate is not recorded.
    const failing = createBackendRegistry({ env: {}, engine: fakeEngine(['tf-never']) }).register(plugin('never', 1));
    await expect(failing.resolve({ backend: 'never' })).rejects.toThrow(/could not be activated/);
    expect(activatedBackend('tf-never')).toBeUndefined();
  });
});
