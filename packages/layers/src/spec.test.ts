import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { LayerKindPlugin, ModelSpec } from '@tfbricks/core';
import { isTfbricksError } from '@tfbricks/core';
import {
  analyzeSpec,
  buildModel,
  fromKerasJson,
  toKerasJson,
  fromConfig,
  getConfig,
  getModelSpec,
  listLayerKinds,
  modelZoo,
  parseModelSpec,
  registerLayerKind,
  specFromModel,
  summary,
  unregisterLayerKind,
} from './index';

function specError(json: unknown, ...texts: string[]): void {
  try {
    parseModelSpec(json);
    expect.unreachable('expected an error');
  } catch (e) {
    expect(isTfbricksError(e) && e.usage, String(e)).toBe(true);
    for (const t of texts) expect((e as Error).message + ((e as { hint?: string }).hint ?? '')).toContain(t);
  }
}

const seq = (layers: unknown[], extra: Record<string, unknown> = {}) => ({ className: 'Sequential', inputShape: [8, 8, 3], layers, ...extra });

describe('parseModelSpec', () => {
  it("names layers Keras' way and fills Keras defaults", () => {
    const spec = parseModelSpec(seq([
      { className: 'Conv2D', config: { filters: 4, kernelSize: 3 } },
      { className: 'Conv2D', config: { filters: 4, kernelSize: [3, 3], name: 'conv2d_1x' } },
      { className: 'MaxPooling2D' },
      { className: 'GlobalMaxPooling2D', config: {} },
      { className: 'Dense', config: { units: 2, activation: 'hard_sigmoid', kernelInitializer: 'he_normal' } },
    ]));
    expect(spec.name).toBe('sequential_1');
    expect(spec.layers.map((l) => l.config.name)).toEqual(['conv2d_1', 'conv2d_1x', 'max_pooling2d_1', 'global_max_pooling2d_1', 'dense_1']);
    expect(spec.layers[0].config).toEqual({
      name: 'conv2d_1', filters: 4, kernelSize: [3, 3], strides: [1, 1], padding: 'valid', activation: 'linear', useBias: true,
      kernelInitializer: 'glorotUniform', biasInitializer: 'zeros', kernelRegularizer: null,
    });
    expect(spec.layers[2].config).toEqual({ name: 'max_pooling2d_1', poolSize: [2, 2], strides: [2, 2], padding: 'valid' });
    expect(spec.layers[4].config.activation).toBe('hardSigmoid');
    expect(spec.layers[4].config.kernelInitializer).toBe('heNormal');
    // Idempotent.
    expect(parseModelSpec(spec)).toEqual(spec);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('errors name the layer, the key, the value and what is allowed', () => {
    specError(seq([{ className: 'Conv2D', config: { filters: 0, kernelSize: 3 } }]), 'layer "conv2d_1" (Conv2D)', '"filters"', 'got 0', 'integer >= 1');
    specError(seq([{ className: 'Conv2D', config: { filters: 2, kernelSize: 3, padding: 'full' } }]), '"padding"', '"full"', 'valid, same');
    specError(seq([{ className: 'Conv2D', config: { filters: 2, kernelSize: 3, dilationRate: 2 } }]), 'unknown config key "dilationRate"');
    specError(seq([{ className: 'Dense', config: { units: 2, activation: 'gelu' } }]), '"activation"', '"gelu"', 'relu');
    specError(seq([{ className: 'Dropout', config: { rate: 1.5 } }]), 'layer "dropout_1" (Dropout)', '"rate"', '1.5', '[0, 1)');
    specError(seq([{ className: 'Conv2D', config: { filters: 2, kernelSize: 9 } }]), 'kernelSize [9, 9] is larger than its input [8, 8]');
    specError(seq([{ className: 'Conv2D', config: { filters: 2, kernelSize: 3, kernelInitializer: 'orthogonal' } }]), '"kernelInitializer"', '"orthogonal"', 'glorotUniform');
    specError(seq([{ className: 'Dense', config: { units: 2, name: 'd' } }, { className: 'Dense', config: { units: 2, name: 'd' } }]), 'duplicate layer name "d"');
    // An explicit name is never taken by an automatic one.
    expect(parseModelSpec(seq([{ className: 'Dense', config: { units: 2 } }, { className: 'Dense', config: { units: 2, name: 'dense_1' } }])).layers[0].config.name).toBe('dense_2');
    specError(seq([{ className: 'Flatten' }], { inputShape: [0, 3] }), '"inputShape"', '[0,3]');
    specError({ className: 'Graph', inputShape: [1], layers: [] }, '"className"', '"Graph"');
    specError(seq([{ className: 'Flatten', inbound: ['x'] }]), '"inbound" is only allowed in Functional specs');
    specError({ className: 'Functional', inputShape: [4, 4, 2], layers: [{ className: 'Add', inbound: ['input_1'] }] }, 'layer "add_1" (Add)', 'takes 2 to Infinity input(s), got 1');
    specError({ className: 'Functional', inputShape: [4, 4, 2], layers: [{ className: 'Flatten', inbound: ['later'] }] }, '"inbound" names "later"');
    specError({ className: 'Functional', inputShape: [4, 4, 2], layers: [{ className: 'Flatten' }] }, '"inbound" must be a non-empty array');
    specError(seq([{ className: 'Conv3D', config: {} }]), 'unknown layer kind "Conv3D"', 'Conv2D');
  });

  it('unknown layer kinds are errors naming the kind (code E_LAYER_KIND_UNKNOWN)', () => {
    try {
      parseModelSpec(seq([{ className: 'LSTM', config: { units: 3 } }]));
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_LAYER_KIND_UNKNOWN');
      expect((e as Error).message).toContain('"LSTM"');
    }
  });
});

describe('toKerasJson / fromKerasJson (Keras JSON)', () => {
  it('keeps getConfig / fromConfig as deprecated aliases', () => {
    expect(getConfig).toBe(toKerasJson);
    expect(fromConfig).toBe(fromKerasJson);
  });

  for (const entry of modelZoo) {
    it(`${entry.name} round-trips through Keras' get_config() JSON`, () => {
      const spec = entry.spec();
      const json = JSON.parse(JSON.stringify(toKerasJson(spec)));
      expect(fromKerasJson(json)).toEqual(spec);
      expect(parseModelSpec(json)).toEqual(spec);
    });
  }

  it("writes Keras' snake_case shape and reads Keras' own output", () => {
    const json = toKerasJson(getModelSpec('keras-cifar10-deep'));
    expect(json.class_name).toBe('Sequential');
    expect(json.config.layers[0]).toEqual({
      class_name: 'Conv2D',
      config: {
        name: 'conv2d_1', filters: 32, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', use_bias: true,
        kernel_initializer: 'glorot_uniform', bias_initializer: 'zeros', kernel_regularizer: null, batch_input_shape: [null, 32, 32, 3],
      },
    });
    const r = toKerasJson(getModelSpec('resnet20'));
    expect(r.class_name).toBe('Model');
    expect(r.config.layers[0].class_name).toBe('InputLayer');
    const add1 = r.config.layers.find((l) => l.name === 'add_1')!;
    expect(add1.inbound_nodes).toEqual([[['activation_1', 0, 0, {}], ['batch_normalization_3', 0, 0, {}]]]);
    expect(r.config.layers[1].config.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 1e-4 } });
    // A layer as Keras 2.2 writes it, with defaults Keras spells out.
    const keras = {
      class_name: 'Sequential',
      config: {
        name: 'sequential_1',
        layers: [
          {
            class_name: 'Conv2D',
            config: {
              name: 'conv2d_1', trainable: true, batch_input_shape: [null, 32, 32, 3], dtype: 'float32', filters: 32, kernel_size: [3, 3],
              strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true,
              kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1.0, mode: 'fan_avg', distribution: 'uniform', seed: null } },
              bias_initializer: { class_name: 'Zeros', config: {} }, kernel_regularizer: null, bias_regularizer: null,
              activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
            },
          },
          { class_name: 'Dropout', config: { name: 'dropout_1', trainable: true, rate: 0.25, noise_shape: null, seed: null } },
        ],
      },
    };
    const spec = fromKerasJson(keras);
    expect(spec.layers[0].config.kernelInitializer).toBe('glorotUniform');
    expect(spec.layers[1].config).toEqual({ name: 'dropout_1', rate: 0.25 });
    const bad = JSON.parse(JSON.stringify(keras));
    bad.config.layers[0].config.dilation_rate = [2, 2];
    expect(() => fromKerasJson(bad)).toThrow(/layers\[0\] \(Conv2D\): unsupported "dilation_rate" \[2,2\]/);
  });

  it('specFromModel derives a Keras spec from a plain tfjs model', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: 'glorotUniform' }),
        tf.layers.activation({ activation: 'relu', name: 'a1' }),
        tf.layers.flatten({ name: 'f' }),
        tf.layers.dense({ units: 2, name: 'd', kernelInitializer: 'heNormal' }),
      ],
    });
    const spec = specFromModel(model);
    expect(spec.layers.map((l) => [l.className, l.config.name])).toEqual([['Conv2D', 'c1'], ['Activation', 'a1'], ['Flatten', 'f'], ['Dense', 'd']]);
    expect(spec.layers[3].config.kernelInitializer).toBe('heNormal');
    expect(analyzeSpec(spec).totals.total).toBe(model.countParams());
    expect(summary(model)).toContain(`Total params: ${model.countParams().toLocaleString('en-US')}`);
    model.dispose();
    const input = tf.input({ shape: [4, 4, 2], name: 'img' });
    const a = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'ca' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'cb' }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const fn = tf.model({ inputs: input, outputs: sum, name: 'two_branch' });
    const fspec = specFromModel(fn);
    expect(fspec).toMatchObject({ className: 'Functional', name: 'two_branch', inputName: 'img', inputShape: [4, 4, 2], outputs: ['sum'] });
    expect(fspec.layers.map((l) => l.inbound)).toEqual([['img'], ['img'], ['ca', 'cb']]);
    expect(fspec.layers[0].config.kernelInitializer).toBe('glorotNormal'); // tfjs' default, kept as is
    fn.dispose();
  });

  it('summary and plot fall back to the tfjs layers for kinds that are not registered', async () => {
    const model = tf.sequential({
      layers: [tf.layers.reshape({ inputShape: [12], targetShape: [3, 4], name: 'rs' }), tf.layers.flatten({ name: 'fl' }), tf.layers.dense({ units: 2, name: 'out' })],
    });
    expect(() => specFromModel(model)).toThrow(/unknown layer kind "Reshape"/);
    const text = summary(model);
    expect(text).toContain('rs (Reshape)                 (None, 3, 4)              0\n');
    expect(text).toContain('out (Dense)                  (None, 2)                 26\n');
    expect(text).toContain('Total params: 26\nTrainable params: 26\nNon-trainable params: 0\n');
    const { modelToDot } = await import('./plot');
    expect(modelToDot(model)).toContain('>Reshape<');
    model.dispose();
  });

  it('functional summaries have the Connected to column', () => {
    const text = summary(getModelSpec('resnet20'));
    const lines = text.split('\n');
    expect(lines[0]).toBe('_'.repeat(98));
    expect(lines[1]).toBe('Layer (type)                    Output Shape         Param #     Connected to');
    expect(text).toContain('input_1 (InputLayer)            (None, 32, 32, 3)    0\n');
    expect(text).toContain('conv2d_1 (Conv2D)               (None, 32, 32, 16)   448         input_1[0][0]\n');
    expect(text).toMatch(/add_1 \(Add\) {21}\(None, 32, 32, 16\) {3}0 {11}activation_1\[0\]\[0\]\n {65}batch_normalization_3\[0\]\[0\]\n/);
    expect(text).toContain('Total params: 274,442\nTrainable params: 273,066\nNon-trainable params: 1,376\n');
  });
});

describe('registerLayerKind', () => {
  /** Keras-style custom layer: y = x * scale (one trainable weight per channel). */
  class ChannelScale extends tf.layers.Layer {
    static className = 'ChannelScale';
    private scale!: tf.LayerVariable;
    override build(inputShape: tf.Shape | tf.Shape[]) {
      const s = inputShape as (number | null)[];
      this.scale = this.addWeight('scale', [s[s.length - 1]!], 'float32', tf.initializers.ones());
      this.built = true;
    }
    override call(inputs: tfc.Tensor | tfc.Tensor[]) {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tfc.mul(x, this.scale.read());
    }
  }
  const plugin: LayerKindPlugin<tf.layers.Layer> = {
    className: 'ChannelScale',
    validate(config) {
      const allowed = ['name'];
      for (const k of Object.keys(config)) if (!allowed.includes(k)) throw new Error(`ChannelScale: unknown key ${k}`);
    },
    outputShape: (_c, [input]) => input,
    paramCount: (_c, [input]) => ({ trainable: input[input.length - 1], nonTrainable: 0 }),
    create: (c) => new ChannelScale({ name: c.name as string }),
  };

  it('a registered custom kind validates, builds, summarises and round-trips', async () => {
    registerLayerKind(plugin);
    try {
      expect(listLayerKinds()).toContain('ChannelScale');
      expect(() => registerLayerKind(plugin)).toThrow(/already registered/);
      expect(() => registerLayerKind({ ...plugin, className: 'Conv2D' })).toThrow(/built in/);
      const spec: ModelSpec = {
        className: 'Sequential',
        name: 'custom',
        inputShape: [4, 4, 2],
        layers: [
          { className: 'Conv2D', config: { filters: 3, kernelSize: 1 } },
          { className: 'ChannelScale', config: {} },
          { className: 'GlobalAveragePooling2D', config: {} },
        ],
      };
      const parsed = parseModelSpec(spec);
      expect(parsed.layers[1].config.name).toBe('channel_scale_1');
      expect(() => parseModelSpec({ ...spec, layers: [spec.layers[0], { className: 'ChannelScale', config: { factor: 2 } }] })).toThrow(/unknown key factor/);
      const model = buildModel(parsed, { seed: 1 });
      expect(model.countParams()).toBe(2 * 3 + 3 + 3);
      expect(summary(parsed)).toMatch(/\nchannel_scale_1 \(ChannelScal \(None, 4, 4, 3\) {11}3\n/);
      const y = model.predict(tfc.ones([1, 4, 4, 2])) as tfc.Tensor;
      expect(y.shape).toEqual([1, 3]);
      expect(fromKerasJson(toKerasJson(parsed))).toEqual(parsed);
      y.dispose();
      model.dispose();
    } finally {
      expect(unregisterLayerKind('ChannelScale')).toBe(true);
    }
    expect(() => parseModelSpec({ className: 'Sequential', inputShape: [4, 4, 2], layers: [{ className: 'ChannelScale' }] })).toThrow(/unknown layer kind "ChannelScale"/);
  });
});
