/** NVIDIA GPUs the driver reports, from `nvidia-smi -L`. */
export interface GpuProbe {
  /** `nvidia-smi` ran and answered. */
  ok: boolean;
  /** GPU names in driver order, e.g. `NVIDIA H200`. */
  gpus: string[];
  /** Why nothing could be listed (tool missing, timed out, driver error). */
  reason?: string;
}

/** Runs a command and returns its stdout; injectable for tests. */
export type ExecFn = (file: string, args: string[], timeoutMs: number) => Promise<string>;

/** Parse `nvidia-smi -L` output (`GPU 0: NVIDIA H200 (UUID: GPU-…)`). */
export function parseNvidiaSmiList(stdout: string): string[] {
  const gpus: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^GPU\s+\d+:\s*(.+?)\s*(?:\(UUID:[^)]*\))?\s*$/.exec(line.trim());
    if (m) gpus.push(m[1]);
  }
  return gpus;
}

async function defaultExec(file: string, args: string[], timeoutMs: number): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const detail = String(stderr || '').trim().split('\n')[0];
        reject(Object.assign(error, { message: detail ? `${error.message.split('\n')[0]}: ${detail}` : error.message.split('\n')[0] }));
      } else resolve(String(stdout));
    });
  });
}

/**
 * Ask the NVIDIA driver which GPUs exist (`nvidia-smi -L`, killed after `timeoutMs`).
 * Never throws. Note that `nvidia-smi` ignores `CUDA_VISIBLE_DEVICES`.
 */
export async function probeNvidiaGpus(exec: ExecFn = defaultExec, timeoutMs = 5000): Promise<GpuProbe> {
  let stdout: string;
  try {
    stdout = await exec('nvidia-smi', ['-L'], timeoutMs);
  } catch (error) {
    const e = error as { code?: unknown; killed?: boolean; message?: string };
    if (e.code === 'ENOENT') return { ok: false, gpus: [], reason: 'nvidia-smi is not installed or not on PATH (no NVIDIA driver?)' };
    if (e.killed) return { ok: false, gpus: [], reason: `nvidia-smi did not answer within ${timeoutMs} ms` };
    return { ok: false, gpus: [], reason: `nvidia-smi failed: ${e.message ?? String(error)}` };
  }
  const gpus = parseNvidiaSmiList(stdout);
  return gpus.length ? { ok: true, gpus } : { ok: true, gpus: [], reason: 'nvidia-smi lists no GPU' };
}

/**
 * GPUs hidden by `CUDA_VISIBLE_DEVICES`: `undefined` when unset (all visible), otherwise the
 * raw value and whether it hides every device (`''`, `-1`, `none`).
 */
export function cudaVisibleDevices(env: Record<string, string | undefined>): { value: string; hidesAll: boolean } | undefined {
  const value = env.CUDA_VISIBLE_DEVICES;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const first = trimmed.split(',')[0]?.trim() ?? '';
  const hidesAll = trimmed === '' || /^none$/i.test(trimmed) || /^-\d+$/.test(first);
  return { value, hidesAll };
}
