import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PARITY_TOLERANCE } from '@tfbricks/core/testing';
import { describe, expect, it } from 'vitest';
import { hasMiniCifar, miniCifar, readWeights, runChild, tempDir } from './helpers';

/** The same tiny run (with augmentation) on cpu and on webgpu (lavapipe here): one epoch, then compare. */
const ARGS = ['train', '--model', 'tiny', '--data-dir', miniCifar, '--limit-train', '32', '--limit-test', '16', '--epochs', '1', '--batch-size', '8', '--seed', '9', '--progress', 'none'];

function lastRow(csv: string): Record<string, number> {
  const lines = csv.trim().split('\n');
  const header = lines[0].split(',');
  const cells = lines.at(-1)!.split(',');
  return Object.fromEntries(header.map((h, i) => [h, Number(cells[i])]));
}

describe.skipIf(!hasMiniCifar)('cpu vs webgpu after one epoch', () => {
  it('ends within the parity tolerance', async (t) => {
    const cwd = tempDir();
    const status = await runChild(['backends', '--json'], { cwd });
    const webgpu = (JSON.parse(status.stdout).backends as { name: string; available: boolean; reason?: string }[]).find((b) => b.name === 'webgpu');
    if (!webgpu?.available) {
      console.log(`skipped: webgpu is not available here (${webgpu?.reason})`);
      t.skip();
    }
    const cpu = await runChild([...ARGS, '--backend', 'cpu', '--run-dir', 'cpu'], { cwd });
    expect(cpu.code, cpu.stderr).toBe(0);
    const gpu = await runChild([...ARGS, '--backend', 'webgpu', '--run-dir', 'webgpu'], { cwd });
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(gpu.stdout).toMatch(/^backend: webgpu \(requested explicitly\)/m);

    const { atol, rtol } = DEFAULT_PARITY_TOLERANCE;
    const a = readWeights(join(cwd, 'cpu/model'));
    const b = readWeights(join(cwd, 'webgpu/model'));
    expect(b.length).toBe(a.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(b[i] - a[i]) - (atol + rtol * Math.abs(a[i])));
    expect(worst, 'max excess over atol + rtol·|cpu|').toBeLessThanOrEqual(0);
    const ma = lastRow(readFileSync(join(cwd, 'cpu/metrics.csv'), 'utf8'));
    const mb = lastRow(readFileSync(join(cwd, 'webgpu/metrics.csv'), 'utf8'));
    for (const key of ['loss', 'val_loss']) expect(Math.abs(mb[key] - ma[key]), key).toBeLessThanOrEqual(atol + rtol * Math.abs(ma[key]));
    expect(mb.val_acc).toBeCloseTo(ma.val_acc, 6);
  }, 180_000);
});
