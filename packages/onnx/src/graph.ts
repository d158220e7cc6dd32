import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttrType,
  NodeProtoSchema,
  TensorProtoSchema,
  TensorProto_DataType as DataType,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
} from './gen/onnx_pb';

/** How a rank-4 value is laid out in the ONNX graph (the logical tfjs layout is always NHWC). */
export type Layout = 'NHWC' | 'NCHW';

/** A value in the graph: its name, its logical (tfjs, NHWC) shape, and its physical layout. */
export interface Value {
  name: string;
  /** tfjs shape, batch first (null where dynamic). */
  shape: (number | null)[];
  /** Physical layout of rank-4 values; ignored for other ranks. */
  layout: Layout;
}

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] };

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'string') return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(value) });
  if (Array.isArray(value)) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: value.map((v) => BigInt(v)) });
  if ('float' in value) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: value.float });
  return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: value.floats });
}

function floatBytes(data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

function int64Bytes(data: readonly number[]): Uint8Array {
  const out = new Uint8Array(data.length * 8);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

function reserve(taken: Set<string>, base: string): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/**
 * Collects nodes and initializers. Names are unique: `uniqueName` suffixes repeats. The
 * physical layout of rank-4 values is tracked so each conversion between NHWC and NCHW is
 * emitted once ({@link GraphBuilder.inLayout}).
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly transposed = new Map<string, Value>();

  constructor(readonly opset: number) {}

  /** `base`, or `base_2`, `base_3`… if taken. Reserves the value name. */
  uniqueName(base: string): string {
    return reserve(this.names, base);
  }

  private uniqueNodeName(base: string): string {
    return reserve(this.nodeNames, base);
  }

  /** Add a node; returns its output names (`outputs` are reserved as given, they must be unique). */
  node(opType: string, inputs: string[], outputs: string[], name: string, attrs: Record<string, AttrValue> = {}): string[] {
    this.nodes.push(
      create(NodeProtoSchema, {
        opType,
        input: inputs,
        output: outputs,
        name,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outputs;
  }

  /** Add a one-output node named `name` whose output is a fresh name based on `output` (default `name`). */
  op(opType: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}, output = name): string {
    const out = this.uniqueName(output);
    const nodeName = this.uniqueNodeName(name);
    this.node(opType, inputs, [out], nodeName, attrs);
    return out;
  }

  /** A float32 initializer. */
  floats(name: string, dims: number[], data: ArrayLike<number>): string {
    const n = this.uniqueName(name);
    this.initializers.push(create(TensorProtoSchema, { name: n, dims: dims.map((d) => BigInt(d)), dataType: DataType.FLOAT, rawData: floatBytes(data) }));
    return n;
  }

  /** An int64 initializer (shapes, axes, pads). */
  ints(name: string, data: number[]): string {
    const n = this.uniqueName(name);
    this.initializers.push(create(TensorProtoSchema, { name: n, dims: [BigInt(data.length)], dataType: DataType.INT64, rawData: int64Bytes(data) }));
    return n;
  }

  /** A float32 scalar initializer. */
  scalar(name: string, value: number): string {
    const n = this.uniqueName(name);
    this.initializers.push(create(TensorProtoSchema, { name: n, dims: [], dataType: DataType.FLOAT, rawData: floatBytes([value]) }));
    return n;
  }

  /** `v` in physical layout `layout` (rank-4 only; other ranks are returned as they are). */
  inLayout(v: Value, layout: Layout, nodeName: string): Value {
    if (v.shape.length !== 4 || v.layout === layout) return v;
    const key = `${v.name}->${layout}`;
    const cached = this.transposed.get(key);
    if (cached) return cached;
    const name = this.op('Transpose', [v.name], `${nodeName}/to_${layout.toLowerCase()}`, { perm: layout === 'NCHW' ? TO_NCHW : TO_NHWC });
    const out: Value = { name, shape: v.shape, layout };
    this.transposed.set(key, out);
    return out;
  }

  /** Rename a value everywhere (node outputs and inputs). */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.input = n.input.map((x) => (x === from ? to : x));
      n.output = n.output.map((x) => (x === from ? to : x));
    }
    this.names.delete(from);
    this.names.add(to);
  }

  /** True when `name` is taken. */
  has(name: string): boolean {
    return this.names.has(name);
  }
}

/** The physical position of a logical (NHWC) axis of a rank-4 value. */
export function physicalAxis(v: Value, logicalAxis: number): number {
  const rank = v.shape.length;
  const a = logicalAxis < 0 ? logicalAxis + rank : logicalAxis;
  if (rank !== 4 || v.layout === 'NHWC') return a;
  return [0, 2, 3, 1][a];
}
