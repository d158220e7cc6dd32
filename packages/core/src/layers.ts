/**
 * The layer/model plugin contract implemented by `@tfbricks/layers`.
 *
 * A model is described by a JSON-serialisable, Keras-shaped {@link ModelSpec}; each layer
 * kind is provided by a {@link LayerKindPlugin}. Core does not depend on tfjs-layers, so
 * the built layer type is a type parameter.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One layer in a spec, in Keras' `{class_name, config}` shape. */
export interface LayerSpec {
  /** Keras class name: `Conv2D`, `Activation`, `Dense`, … or a registered custom kind. */
  className: string;
  /** Keras config (camelCase keys), including `name` once the spec is normalised. */
  config: { [key: string]: JsonValue };
  /** Functional models only: names of the layers feeding this one. */
  inbound?: string[];
}

/** A Keras-shaped model: `Sequential` (layers in order) or `Functional` (a DAG). */
export interface ModelSpec {
  className: 'Sequential' | 'Functional';
  name: string;
  /** Input shape without the batch dimension, e.g. `[32, 32, 3]`. */
  inputShape: number[];
  layers: LayerSpec[];
  /** Functional models only: names of the output layers. */
  outputs?: string[];
}

/** Provides one layer kind: validation, shape inference and construction. */
export interface LayerKindPlugin<TLayer = unknown> {
  /** The `className` this plugin handles. */
  readonly className: string;
  /** Throws a usage error naming the layer, key, value and what is allowed. */
  validate?(config: LayerSpec['config']): void;
  /** Output shape (without batch) for the given input shapes. */
  outputShape(config: LayerSpec['config'], inputShapes: number[][]): number[];
  /** Trainable + non-trainable parameter counts. */
  paramCount(config: LayerSpec['config'], inputShapes: number[][]): { trainable: number; nonTrainable: number };
  /** Create the runtime layer. */
  create(config: LayerSpec['config']): TLayer;
}

/** A named model in a zoo. */
export interface ModelZooEntry {
  readonly name: string;
  readonly description: string;
  spec(options?: { inputShape?: number[]; numClasses?: number }): ModelSpec;
}
