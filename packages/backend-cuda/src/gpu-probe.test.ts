import { describe, expect, it } from 'vitest';
import { cudaVisibleDevices, parseNvidiaSmiList, probeNvidiaGpus } from './gpu-probe';

describe('nvidia-smi probe', () => {
  it('parses `nvidia-smi -L`', () => {
    const out = 'GPU 0: NVIDIA H200 (UUID: GPU-1234)\nGPU 1: Tesla T4 (UUID: GPU-abcd)\n  MIG 1g.10gb Device 0: (UUID: MIG-x)\n';
    expect(parseNvidiaSmiList(out)).toEqual(['NVIDIA H200', 'Tesla T4']);
    expect(parseNvidiaSmiList('')).toEqual([]);
  });

  it('reports GPUs, no GPUs, a missing tool, a timeout and a driver error without throwing', async () => {
    expect(await probeNvidiaGpus(async () => 'GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1)\n')).toEqual({ ok: true, gpus: ['NVIDIA A100-SXM4-40GB'] });
    expect(await probeNvidiaGpus(async () => 'No devices were found\n')).toMatchObject({ ok: true, gpus: [], reason: 'nvidia-smi lists no GPU' });
    const enoent = await probeNvidiaGpus(async () => { throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' }); });
    expect(enoent.ok).toBe(false);
    expect(enoent.reason).toContain('not installed');
    const killed = await probeNvidiaGpus(async () => { throw Object.assign(new Error('killed'), { killed: true }); }, 1234);
    expect(killed.reason).toContain('1234 ms');
    const driver = await probeNvidiaGpus(async () => { throw new Error('NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver'); });
    expect(driver.reason).toContain('could not communicate');
  });

  it('really runs nvidia-smi here (or reports why not) within its timeout', async () => {
    const probe = await probeNvidiaGpus(undefined, 5000);
    console.info(`[gpu-probe] nvidia-smi here: ${probe.ok ? `GPUs: ${probe.gpus.join(', ') || '(none)'}` : probe.reason}`);
    expect(typeof probe.ok).toBe('boolean');
    if (!probe.ok) expect(probe.reason).toBeTruthy();
  });

  it('interprets CUDA_VISIBLE_DEVICES', () => {
    expect(cudaVisibleDevices({})).toBeUndefined();
    expect(cudaVisibleDevices({ CUDA_VISIBLE_DEVICES: '' })).toEqual({ value: '', hidesAll: true });
    expect(cudaVisibleDevices({ CUDA_VISIBLE_DEVICES: '-1' })?.hidesAll).toBe(true);
    expect(cudaVisibleDevices({ CUDA_VISIBLE_DEVICES: 'none' })?.hidesAll).toBe(true);
    expect(cudaVisibleDevices({ CUDA_VISIBLE_DEVICES: '0,1' })).toEqual({ value: '0,1', hidesAll: false });
  });
});
