// Export time and file size per zoo model, and inference speed of the exported model on ONNX
// Runtime (CPU provider) against tfbricks' own path (tfjs cpu backend, model.predict), batch 32,
// interleaved rounds so both see the same machine load. Prints a Markdown table.
//   pnpm --filter @tfbricks/onnx bench
import '@tensorflow/tfjs-backend-cpu';
import * as tfc from '@tensorflow/tfjs-core';
import { buildModel, getModelSpec } from '@tfbricks/layers';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../src/index';

const MODELS = ['tiny', 'resnet20', 'keras-cifar10-deep'];
const BATCH = 32;
const ROUNDS = 3;

async function main(): Promise<void> {
  await tfc.setBackend('cpu');
  const rows: string[] = [];
  for (const name of MODELS) {
    const model = buildModel(getModelSpec(name), { seed: 1 });
    const t0 = performance.now();
    const bytes = exportOnnx(model);
    const exportMs = performance.now() - t0;
    const x = new Float32Array(BATCH * 3072).map((_, i) => (i % 255) / 255);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, [BATCH, 32, 32, 3]) };
    await session.run(feeds); // warm-up
    tfc.tidy(() => (model.predict(tfc.tensor(x, [BATCH, 32, 32, 3])) as tfc.Tensor).dataSync());
    let ortMs = 0;
    let tfMs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      await session.run(feeds);
      ortMs += performance.now() - t;
      t = performance.now();
      tfc.tidy(() => (model.predict(tfc.tensor(x, [BATCH, 32, 32, 3])) as tfc.Tensor).dataSync());
      tfMs += performance.now() - t;
    }
    await session.release();
    model.dispose();
    const ortRate = (BATCH * ROUNDS) / (ortMs / 1000);
    const tfRate = (BATCH * ROUNDS) / (tfMs / 1000);
    rows.push(`| ${name} | ${exportMs.toFixed(0)} ms | ${(bytes.byteLength / 1e6).toFixed(2)} MB | ${tfRate.toFixed(1)} | ${ortRate.toFixed(0)} | ${(ortRate / tfRate).toFixed(1)}x |`);
  }
  console.log('| model | exportOnnx | file | tfjs cpu predict, images/s | ONNX Runtime CPU, images/s | ORT / tfjs |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

await main();
