// What the consumer projects run: the same program as an ES module and as CommonJS, and a
// TypeScript file that uses the public types of core, backend-cpu, layers and augment.

/** The body shared by the ESM and CJS programs (`lib` holds the four packages). */
const body = `
  const registry = lib.core.createBackendRegistry({ env: {} }).register(lib.cpu.cpuBackend());
  const resolved = await registry.resolve();
  const spec = lib.layers.getModelSpec('tiny', { inputShape: [8, 8, 3] });
  const model = lib.layers.buildModel(spec, { seed: 1 });
  const images = lib.tf.tidy(() => lib.tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 7));
  const generator = new lib.augment.ImageDataGenerator({ horizontalFlip: true, widthShiftRange: 0.1 });
  const augmented = generator.apply(images, { seed: 3 });
  const probabilities = model.predict(augmented);
  const sum = (await lib.tf.sum(probabilities).data())[0];
  console.log(JSON.stringify({
    backend: resolved.name,
    tfjsBackend: lib.tf.getBackend(),
    params: model.countParams(),
    summaryLines: lib.layers.summary(spec).split('\\n').length,
    shape: probabilities.shape,
    sum: Math.round(sum * 1e4) / 1e4,
    isError: lib.core.isTfbricksError(new lib.core.TfbricksError('E_X', 'x')),
  }));
`;

export const esmProgram = `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import * as core from '@tfbricks/core';
import * as cpu from '@tfbricks/backend-cpu';
import * as layers from '@tfbricks/layers';
import * as augment from '@tfbricks/augment';

const lib = { tf, core, cpu, layers, augment };
${body}`;

export const cjsProgram = `const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-layers');
const lib = { tf, core: require('@tfbricks/core'), cpu: require('@tfbricks/backend-cpu'), layers: require('@tfbricks/layers'), augment: require('@tfbricks/augment') };
(async () => {
${body}
})().catch((error) => { console.error(error); process.exitCode = 1; });
`;

/** Uses values and types of every package; compiled with node16, nodenext and bundler resolution. */
export const typedProgram = `import * as tf from '@tensorflow/tfjs-core';
import { type BackendPlugin, type ModelSpec, type ResolvedBackend, createBackendRegistry, describeResolution, detectPackageManager, TfbricksError } from '@tfbricks/core';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { buildModel, getModelSpec, summary } from '@tfbricks/layers';
import { ImageDataGenerator, compose, randomFlip } from '@tfbricks/augment';

export async function main(): Promise<string> {
  const plugin: BackendPlugin = cpuBackend();
  const resolved: ResolvedBackend = await createBackendRegistry({ env: {} }).register(plugin).resolve();
  const spec: ModelSpec = getModelSpec('tiny', { inputShape: [8, 8, 3] });
  const model = buildModel(spec, { seed: 1 });
  const batch: tf.Tensor4D = tf.zeros([1, 8, 8, 3]);
  const out: tf.Tensor4D = compose(randomFlip(), new ImageDataGenerator({ rotationRange: 5 })).apply(batch, { seed: 1 });
  const error: TfbricksError = new TfbricksError('E_X', 'x', { hint: detectPackageManager() });
  return [describeResolution(resolved), summary(spec), String(model.countParams()), String(out.shape), error.format()].join('\\n');
}
`;

export interface TsSetup {
  name: string;
  /** The folder's package.json "type". */
  type: 'module' | 'commonjs';
  compilerOptions: Record<string, unknown>;
}

export const tsSetups: TsSetup[] = [
  { name: 'node16-cjs', type: 'commonjs', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
  { name: 'nodenext-esm', type: 'module', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
  { name: 'bundler', type: 'module', compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
];

export function tsconfig(setup: TsSetup): string {
  return `${JSON.stringify(
    {
      compilerOptions: { target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, skipLibCheck: false, types: ['node'], ...setup.compilerOptions },
      files: ['check.ts'],
    },
    null,
    2,
  )}\n`;
}

/** The browser entry of the Vite consumer: model, augmentation and the WebGPU plugin. */
export const browserEntry = `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { createBackendRegistry, describeResolution } from '@tfbricks/core';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { buildModel, getModelSpec, summary } from '@tfbricks/layers';
import { ImageDataGenerator } from '@tfbricks/augment';

const registry = createBackendRegistry({ env: {} }).register(webgpuBackend());
const resolved = await registry.resolve({ backend: 'webgpu' });
const spec = getModelSpec('tiny', { inputShape: [8, 8, 3] });
const model = buildModel(spec, { seed: 1 });
const generator = new ImageDataGenerator({ horizontalFlip: true });
const x = generator.apply(tf.zeros([1, 8, 8, 3]), { seed: 1 });
document.body.textContent = [describeResolution(resolved), summary(spec), String(model.predict(x))].join('\\n');
`;

export const viteConfig = `import { defineConfig } from 'vite';

// As the backend-webgpu README says: the Node-only \`webgpu\` package stays out of browser bundles.
export default defineConfig({ build: { target: 'es2022', rollupOptions: { external: ['webgpu'] } } });
`;

export const indexHtml = `<!doctype html>
<html><head><meta charset="utf-8"><title>tfbricks</title></head>
<body><script type="module" src="/main.js"></script></body></html>
`;

/** (c): the WebGPU plugin in Node, through Dawn from the optional `webgpu` peer. */
export const webgpuProgram = `import * as tf from '@tensorflow/tfjs-core';
import { createBackendRegistry } from '@tfbricks/core';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
try {
  const { device } = await createBackendRegistry({ env: {} }).register(webgpuBackend()).resolve({ backend: 'webgpu' });
  const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
  console.log(JSON.stringify({ ok: true, backend: tf.getBackend(), source: device.source, values: Array.from(await y.data()) }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, kind: error.details?.kind, message: error.message }));
}
`;
