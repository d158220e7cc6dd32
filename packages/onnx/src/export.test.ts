// exportOnnx: the written protobuf (names, metadata, opsets, layouts), baked preprocessing
// against @tfbricks/augment's ImageDataGenerator on ONNX Runtime, and its errors.
import { fromBinary } from '@bufbuild/protobuf';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ImageDataGenerator } from '@tfbricks/augment';
import { buildModel, getModelSpec } from '@tfbricks/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelProtoSchema } from './gen/onnx_pb';
import { exportOnnx, MAX_OPSET, MIN_OPSET } from './index';
import { maxAbsDiff, randomArray, runOnnx, tfPredict, toNchw } from './test-support/runtime';

beforeAll(async () => {
  await tfc.setBackend('cpu');
});

const decode = (bytes: Uint8Array) => fromBinary(ModelProtoSchema, bytes);
const inputDims = (bytes: Uint8Array) => {
  const t = decode(bytes).graph!.input[0].type!.value;
  if (t.case !== 'tensorType') throw new Error('not a tensor input');
  return t.value.shape!.dim.map((d) => d.value.value);
};
const metadata = (bytes: Uint8Array) => Object.fromEntries(decode(bytes).metadataProps.map((e) => [e.key, e.value]));

function smallModel(shape = [8, 8, 3]): tfl.LayersModel {
  return buildModel(getModelSpec('tiny', { inputShape: shape, numClasses: 4 }), { seed: 5 });
}

describe('exportOnnx: the model file', () => {
  it('names nodes after layers, names inputs/outputs, writes the opset, IR version, dynamic batch and metadata', () => {
    const model = smallModel();
    const bytes = exportOnnx(model, { classNames: ['a', 'b', 'c', 'd'], metadata: { run: 'r1' } });
    const m = decode(bytes);
    expect(m.producerName).toBe('tfbricks');
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(Number(m.irVersion)).toBe(8);
    const names = m.graph!.node.map((n) => n.name);
    for (const layer of model.layers.slice(1)) {
      if (layer.getClassName() === 'Activation' && (layer.getConfig().activation as string) === 'linear') continue; // fused ReLU's identity
      expect(names, layer.name).toContain(layer.name);
    }
    expect(m.graph!.node.find((n) => n.name === 'conv2d_1')!.opType).toBe('Conv');
    expect(m.graph!.input.map((i) => i.name)).toEqual(['input']);
    expect(m.graph!.output.map((o) => o.name)).toEqual(['activation_3']);
    const dims = inputDims(bytes);
    expect(dims).toEqual(['batch', 8n, 8n, 3n]);
    const meta = metadata(bytes);
    expect(JSON.parse(meta.classNames)).toEqual(['a', 'b', 'c', 'd']);
    expect(JSON.parse(meta.preprocessing)).toMatchObject({ included: false, rescale: 1 / 255 });
    expect(meta.inputLayout).toBe('NHWC');
    expect(meta.run).toBe('r1');
    model.dispose();
  });

  it('fixed batch, NCHW input and every opset from 13 to 21 load and run in ONNX Runtime', async () => {
    const model = smallModel();
    const x = randomArray(2 * 8 * 8 * 3, 2);
    const want = tfPredict(model, x, [2, 8, 8, 3]);
    const fixed = exportOnnx(model, { batch: 2, inputLayout: 'NCHW' });
    expect(inputDims(fixed)).toEqual([2n, 3n, 8n, 8n]);
    expect(maxAbsDiff(Object.values(await runOnnx(fixed, toNchw(x, [2, 8, 8, 3]), [2, 3, 8, 8]))[0].data, want)).toBeLessThan(1e-5);
    for (let opset = MIN_OPSET; opset <= MAX_OPSET; opset++) {
      const bytes = exportOnnx(model, { opset, includePreprocessing: true, preprocessing: { rescale: 1 / 255, samplewiseCenter: true, samplewiseStdNormalization: true } });
      const out = Object.values(await runOnnx(bytes, x, [2, 8, 8, 3]))[0];
      expect(out.dims, `opset ${opset}`).toEqual([2, 4]);
    }
    model.dispose();
  });
});

describe('exportOnnx: model shapes', () => {
  it('a rank-4 output (a fused Conv2D+ReLU feature map) comes out in the input layout, named after its layer', async () => {
    const spec = { className: 'Functional', name: 'maps', inputShape: [6, 5, 3], layers: [
      { className: 'Conv2D', config: { name: 'conv', filters: 4, kernelSize: 3, padding: 'same' }, inbound: ['input_1'] },
      { className: 'Activation', config: { name: 'relu', activation: 'relu' }, inbound: ['conv'] },
      { className: 'Conv2D', config: { name: 'conv_b', filters: 2, kernelSize: 1 }, inbound: ['input_1'] },
    ], outputs: ['relu', 'conv_b'] };
    const model = buildModel(spec as never, { seed: 2 });
    const x = randomArray(2 * 90, 6, -1, 1);
    const want = tfc.tidy(() => (model.predict(tfc.tensor(x, [2, 6, 5, 3])) as tfc.Tensor[]).map((t) => t.dataSync() as Float32Array));
    const nhwc = await runOnnx(exportOnnx(model), x, [2, 6, 5, 3]);
    expect(Object.keys(nhwc)).toEqual(['relu', 'conv_b']);
    expect(nhwc.relu.dims).toEqual([2, 6, 5, 4]);
    expect(maxAbsDiff(nhwc.relu.data, want[0])).toBeLessThan(1e-5);
    expect(maxAbsDiff(nhwc.conv_b.data, want[1])).toBeLessThan(1e-5);
    const nchw = await runOnnx(exportOnnx(model, { inputLayout: 'NCHW' }), toNchw(x, [2, 6, 5, 3]), [2, 3, 6, 5]);
    expect(nchw.relu.dims).toEqual([2, 4, 6, 5]);
    expect(maxAbsDiff(nchw.relu.data, toNchw(want[0], [2, 6, 5, 4]))).toBeLessThan(1e-5);
    expect(maxAbsDiff(nchw.conv_b.data, toNchw(want[1], [2, 6, 5, 2]))).toBeLessThan(1e-5);
    model.dispose();
  });

  it('a tf.sequential model', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 2, activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
    const x = randomArray(3 * 50, 9);
    const got = Object.values(await runOnnx(exportOnnx(model), x, [3, 5, 5, 2]))[0];
    expect(maxAbsDiff(got.data, tfPredict(model, x, [3, 5, 5, 2]))).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('exportOnnx: preprocessing baked into the graph', () => {
  for (const layout of ['NHWC', 'NCHW'] as const) {
    it(`rescale, samplewise and featurewise standardisation and ZCA equal ImageDataGenerator.standardize (${layout})`, async () => {
      const shape = [6, 6, 3];
      const model = smallModel(shape);
      const train = tfc.tensor4d(randomArray(40 * 108, 8, 0, 1), [40, 6, 6, 3]);
      const cases = [
        { featurewiseCenter: true, featurewiseStdNormalization: true },
        { samplewiseCenter: true, samplewiseStdNormalization: true },
        { zcaWhitening: true, zcaEpsilon: 0.1 },
      ];
      for (const options of cases) {
        const gen = new ImageDataGenerator({ ...options, rescale: 1 / 255 });
        // fit() sees images already rescaled, as tfbricks train fits on x / 255.
        await gen.fit(train);
        const raw = randomArray(3 * 108, 4, 0, 255);
        const standardized = tfc.tidy(() => gen.standardize(tfc.tensor4d(raw, [3, 6, 6, 3])).dataSync() as Float32Array);
        const want = tfPredict(model, standardized, [3, 6, 6, 3]);
        const preprocessing = {
          rescale: 1 / 255,
          samplewiseCenter: gen.samplewiseCenter,
          samplewiseStdNormalization: gen.samplewiseStdNormalization,
          ...(gen.featurewiseCenter && gen.mean ? { mean: gen.mean } : {}),
          ...(gen.featurewiseStdNormalization && gen.std ? { std: gen.std } : {}),
          ...(gen.zcaWhitening && gen.principalComponents ? { zca: gen.principalComponents.dataSync() } : {}),
        };
        const bytes = exportOnnx(model, { includePreprocessing: true, preprocessing, inputLayout: layout });
        const feed = layout === 'NCHW' ? toNchw(raw, [3, 6, 6, 3]) : raw;
        const got = Object.values(await runOnnx(bytes, feed, layout === 'NCHW' ? [3, 3, 6, 6] : [3, 6, 6, 3]))[0];
        expect(maxAbsDiff(got.data, want), JSON.stringify(options)).toBeLessThan(1e-4);
        const meta = JSON.parse(metadata(bytes).preprocessing);
        expect(meta.included).toBe(true);
        if (preprocessing.mean) expect(meta.mean).toHaveLength(3);
        if (preprocessing.zca) expect(meta.zca.data.length).toBeGreaterThan(108 * 108 * 4);
        gen.principalComponents?.dispose();
      }
      train.dispose();
      model.dispose();
    });
  }
});

describe('exportOnnx: errors', () => {
  it('an unsupported layer names the layer and its kind', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const y = tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'upsample_me' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: y });
    expect(() => exportOnnx(model)).toThrow(/layer "upsample_me" of kind Conv2DTranspose is not supported/);
    try {
      exportOnnx(model);
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_ONNX_UNSUPPORTED');
      expect((e as { hint: string }).hint).toMatch(/supported layer kinds: Conv2D, Dense/);
    }
    model.dispose();
  });

  it('an unsupported layer option names the layer', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const cf = tfl.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst', name: 'cf' }).apply(input) as tfl.SymbolicTensor;
    expect(() => exportOnnx(tfl.model({ inputs: input, outputs: cf }))).toThrow(/layer "cf" \(MaxPooling2D\): dataFormat "channelsFirst" is not supported/);
  });

  it('bad options are usage errors naming the option, the value and what is allowed', () => {
    const model = smallModel();
    const cases: [unknown, RegExp][] = [
      [{ opset: 12 }, /option "opset" must be an integer from 13 to 21, got 12/],
      [{ batch: 0 }, /option "batch" must be "dynamic" or an integer >= 1, got 0/],
      [{ inputLayout: 'HWC' }, /option "inputLayout" must be "NHWC" or "NCHW", got "HWC"/],
      [{ preprocessing: { mean: [1, 2] } }, /"preprocessing.mean" must hold one value per channel \(3\), got 2/],
      [{ preprocessing: { zca: [1, 2, 3] } }, /"preprocessing.zca" must be 192 x 192/],
      [{ preprocessing: { rescale: Number.NaN } }, /"preprocessing.rescale" must be a finite non-zero number/],
      [{ preprocessing: { scale: 2 } }, /"preprocessing.scale" must be absent/],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        exportOnnx(model, options as never);
      } catch (e) {
        error = e;
      }
      expect((error as Error)?.message, JSON.stringify(options)).toMatch(message);
      expect((error as { usage: boolean }).usage).toBe(true);
    }
    expect(() => exportOnnx({} as never)).toThrow(/"model" must be a tfjs-layers LayersModel/);
    model.dispose();
  });
});
