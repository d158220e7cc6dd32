// The exported files pass the ONNX reference checker (python3-onnx's check_model with
// full_check: structure plus strict shape inference), which is what TensorRT/OpenVINO-style
// consumers rely on beyond what ONNX Runtime happens to accept. Skips where python3-onnx is
// absent (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfc from '@tensorflow/tfjs-core';
import { buildModel, getModelSpec } from '@tfbricks/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from './index';
import './test-support/runtime';

const PYTHON = process.env.TFBRICKS_PYTHON ?? '/usr/bin/python3';
const hasChecker = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
const script = join(dirname(fileURLToPath(import.meta.url)), 'test-support/check_onnx.py');

if (!hasChecker) console.warn(`[onnx] skipping the ONNX reference checker test: ${PYTHON} cannot import onnx (apt-get install python3-onnx)`);

describe.skipIf(!hasChecker)('ONNX reference checker (python3-onnx)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfbricks-onnx-check-'));
  beforeAll(async () => {
    await tfc.setBackend('cpu');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts zoo models in both layouts, with and without baked preprocessing, and infers the declared output shapes', () => {
    const files: Record<string, [number | string, number | string][]> = {};
    const write = (name: string, bytes: Uint8Array, out: [number | string, number | string]) => {
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, bytes);
      files[path] = [out];
    };
    for (const name of ['tiny', 'keras-cifar10-cnn', 'resnet20']) {
      const model = buildModel(getModelSpec(name), { seed: 1 });
      write(`${name}-nhwc`, exportOnnx(model), ['batch', 10]);
      write(`${name}-nchw-fixed`, exportOnnx(model, { inputLayout: 'NCHW', batch: 4 }), [4, 10]);
      model.dispose();
    }
    const tiny = buildModel(getModelSpec('tiny'), { seed: 1 });
    const preprocessing = { rescale: 1 / 255, samplewiseCenter: true, samplewiseStdNormalization: true, mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.25] };
    write('tiny-baked', exportOnnx(tiny, { includePreprocessing: true, preprocessing, inputLayout: 'NCHW' }), ['batch', 10]);
    tiny.dispose();
    const r = spawnSync(PYTHON, [script, ...Object.keys(files)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const inferred = JSON.parse(r.stdout) as Record<string, Record<string, (number | string)[]>>;
    for (const [path, [want]] of Object.entries(files)) {
      const outputs = Object.values(inferred[path]);
      expect(outputs, path).toEqual([want]);
    }
  }, 120_000);
});
