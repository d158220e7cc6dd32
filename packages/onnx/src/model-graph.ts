import type * as tfl from '@tensorflow/tfjs-layers';
import { usageError } from '@tfbricks/core';
import { CONVERTERS, supportedLayers } from './convert/index';
import type { LayerContext, Weight } from './convert/context';
import type { GraphBuilder, Value } from './graph';

type SymbolicTensor = tfl.SymbolicTensor;

interface LayerLike {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  weights: { originalName: string; read(): { dtype: string; shape: number[]; dataSync(): ArrayLike<number> } }[];
  inboundNodes: { inputTensors: SymbolicTensor[]; outputTensors: SymbolicTensor[] }[];
}

function layerWeights(layer: LayerLike): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const w of layer.weights) {
    const t = w.read();
    if (t.dtype !== 'float32') throw usageError('E_ONNX_UNSUPPORTED', `exportOnnx: layer "${layer.name}" (${layer.getClassName()}): weight "${w.originalName}" has dtype ${t.dtype} (only float32)`);
    const key = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    out.set(key, { data: Float32Array.from(t.dataSync()), shape: [...t.shape] });
  }
  return out;
}

/** Every layer application of `model` in topological order: its layer, inputs and outputs. */
function* applications(model: tfl.LayersModel, known: Set<SymbolicTensor>): Generator<{ layer: LayerLike; index: number; inputs: SymbolicTensor[]; outputs: SymbolicTensor[] }> {
  for (const raw of model.layers) {
    const layer = raw as unknown as LayerLike;
    if (layer.getClassName() === 'InputLayer') continue;
    let index = 0;
    for (const node of layer.inboundNodes) {
      if (!node.inputTensors.every((t) => known.has(t))) continue;
      yield { layer, index, inputs: node.inputTensors, outputs: node.outputTensors };
      node.outputTensors.forEach((t) => known.add(t));
      index++;
    }
  }
}

/**
 * Convert every layer of `model` into `g`, starting from `inputs` (the graph's values for
 * `model.inputs`). Returns the values of `model.outputs`. A layer kind without a converter
 * is an error naming the layer and its kind.
 */
export function convertLayers(g: GraphBuilder, model: tfl.LayersModel, inputs: Value[]): Value[] {
  const values = new Map<SymbolicTensor, Value>();
  model.inputs.forEach((t, i) => values.set(t, inputs[i]));
  const known = new Set<SymbolicTensor>(model.inputs);
  for (const app of applications(model, known)) {
    const { layer } = app;
    const className = layer.getClassName();
    const converter = CONVERTERS[className];
    if (!converter) {
      throw usageError('E_ONNX_UNSUPPORTED', `exportOnnx: layer "${layer.name}" of kind ${className} is not supported`, `supported layer kinds: ${supportedLayers().join(', ')}`, {
        layer: layer.name,
        className,
      });
    }
    if (app.outputs.length !== 1) throw usageError('E_ONNX_UNSUPPORTED', `exportOnnx: layer "${layer.name}" (${className}) has ${app.outputs.length} outputs (only 1 is supported)`);
    const weights = layerWeights(layer);
    const ctx: LayerContext = {
      g,
      name: app.index === 0 ? layer.name : `${layer.name}_${app.index + 1}`,
      className,
      config: layer.getConfig(),
      inputs: app.inputs.map((t) => values.get(t)!),
      outputShape: [...app.outputs[0].shape],
      weight: (key) => weights.get(key),
    };
    values.set(app.outputs[0], converter(ctx));
  }
  return model.outputs.map((t) => {
    const v = values.get(t);
    if (!v) throw usageError('E_ONNX_UNSUPPORTED', `exportOnnx: model output "${t.name}" is not computed from the model's inputs`);
    return v;
  });
}
