import { create, toBinary } from '@bufbuild/protobuf';
import type * as tfl from '@tensorflow/tfjs-layers';
import { usageError } from '@tfbricks/core';
import {
  GraphProtoSchema,
  ModelProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType as DataType,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type ValueInfoProto,
} from './gen/onnx_pb';
import { GraphBuilder, type Layout, type Value } from './graph';
import { convertLayers } from './model-graph';
import { irVersionFor, resolveOptions, type ExportOptions, type ResolvedOptions } from './options';
import { bakePreprocessing, checkPreprocessing, preprocessingMetadata } from './preprocessing';

/** `producer_name` / `producer_version` written into every model. */
export const PRODUCER = { name: 'tfbricks', version: '0.0.0' } as const;

function valueInfo(name: string, shape: (number | null)[], layout: Layout, batch: ResolvedOptions['batch']): ValueInfoProto {
  const physical = shape.length === 4 && layout === 'NCHW' ? [shape[0], shape[3], shape[1], shape[2]] : shape;
  const dim = physical.map((d, i) =>
    create(TensorShapeProto_DimensionSchema, {
      value: i === 0 ? (batch === 'dynamic' ? { case: 'dimParam', value: 'batch' } : { case: 'dimValue', value: BigInt(batch) }) : d === null ? { case: 'dimParam', value: `d${i}` } : { case: 'dimValue', value: BigInt(d) },
    }),
  );
  const type = create(TypeProtoSchema, { value: { case: 'tensorType', value: { elemType: DataType.FLOAT, shape: { dim } } } });
  return create(ValueInfoProtoSchema, { name, type });
}

function checkModel(model: tfl.LayersModel): void {
  const ok = model && typeof model === 'object' && Array.isArray((model as { layers?: unknown }).layers) && Array.isArray((model as { inputs?: unknown }).inputs);
  if (!ok) throw usageError('E_ONNX_OPTIONS', 'exportOnnx: "model" must be a tfjs-layers LayersModel (built by @tfbricks/layers or tf.model)');
}

/** A Sequential model's inner functional model (built on demand), or the model itself. */
function functionalModel(model: tfl.LayersModel): tfl.LayersModel {
  if (model.getClassName() !== 'Sequential') return model;
  const seq = model as unknown as { model?: tfl.LayersModel; inputs: tfl.SymbolicTensor[]; build(shape: (number | null)[]): void };
  if (!seq.model) {
    if (seq.inputs.length === 0) throw usageError('E_ONNX_OPTIONS', 'exportOnnx: the Sequential model has no input shape yet (give its first layer an inputShape)');
    seq.build(seq.inputs[0].shape);
  }
  return seq.model!;
}

/** The graph's inputs (in `layout` for rank-4 inputs), optionally followed by the baked preprocessing. */
function graphInputs(g: GraphBuilder, model: tfl.LayersModel, o: ResolvedOptions): { infos: ValueInfoProto[]; values: Value[] } {
  const infos: ValueInfoProto[] = [];
  const values = model.inputs.map((t) => {
    const shape = [...t.shape];
    const name = g.uniqueName(t.sourceLayer?.name ?? t.name);
    const layout: Layout = shape.length === 4 ? o.inputLayout : 'NHWC';
    infos.push(valueInfo(name, shape, layout, o.batch));
    return { name, shape, layout };
  });
  const image = model.inputs.length === 1 ? model.inputs[0].shape.slice(1).map((d) => d ?? -1) : undefined;
  checkPreprocessing(o.preprocessing, image);
  if (o.includePreprocessing) {
    if (values.length !== 1 || values[0].shape.length !== 4) throw usageError('E_ONNX_OPTIONS', 'exportOnnx: includePreprocessing needs a model with one image input [batch, height, width, channels]');
    values[0] = bakePreprocessing(g, values[0], o.preprocessing);
  }
  return { infos, values };
}

/** Name each output after its layer (in the caller's layout for rank-4 outputs). */
function graphOutputs(g: GraphBuilder, model: tfl.LayersModel, outputs: Value[], o: ResolvedOptions): ValueInfoProto[] {
  return outputs.map((raw, i) => {
    const desired = model.outputs[i].sourceLayer?.name ?? `output_${i}`;
    const v = g.inLayout(raw, o.inputLayout, desired);
    let name = v.name;
    if (name !== desired) {
      if (g.has(desired)) g.rename(desired, g.uniqueName(`${desired}/value`));
      name = g.op('Identity', [v.name], `${desired}/output`, {}, desired);
    }
    return valueInfo(name, v.shape, v.layout, o.batch);
  });
}

function metadataEntries(o: ResolvedOptions): { key: string; value: string }[] {
  const entries: Record<string, string> = {
    inputLayout: o.inputLayout,
    preprocessing: preprocessingMetadata(o.preprocessing, o.includePreprocessing),
    ...o.metadata,
  };
  if (o.classNames) entries.classNames = JSON.stringify(o.classNames);
  return Object.entries(entries).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
}

/**
 * Export a tfjs-layers model (built by @tfbricks/layers, or any `tf.model` of the supported
 * layer kinds) as an ONNX model: the serialized `ModelProto`. Inference form: Dropout is
 * removed, BatchNormalization uses its moving statistics. Layer names become node names;
 * class names and the preprocessing are stored as metadata (or the preprocessing baked in
 * with `includePreprocessing`).
 */
export function exportOnnx(model: tfl.LayersModel, options: ExportOptions = {}): Uint8Array {
  const o = resolveOptions(options);
  checkModel(model);
  const inner = functionalModel(model);
  const g = new GraphBuilder(o.opset);
  const inputs = graphInputs(g, inner, o);
  const outputs = convertLayers(g, inner, inputs.values);
  const outputInfos = graphOutputs(g, inner, outputs, o);
  const graph = create(GraphProtoSchema, {
    name: o.graphName ?? model.name,
    node: g.nodes,
    initializer: g.initializers,
    input: inputs.infos,
    output: outputInfos,
  });
  const proto = create(ModelProtoSchema, {
    irVersion: BigInt(irVersionFor(o.opset)),
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(o.opset) })],
    producerName: PRODUCER.name,
    producerVersion: PRODUCER.version,
    docString: `${model.name}, exported from TensorFlow.js by tfbricks`,
    graph,
    metadataProps: metadataEntries(o),
  });
  return toBinary(ModelProtoSchema, proto);
}
