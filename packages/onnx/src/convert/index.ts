import { activation, dense } from './dense';
import { conv2d } from './conv';
import type { Converter } from './context';
import { concatenate, elementwise } from './merge';
import { batchNormalization } from './normalization';
import { globalPooling2d, pooling2d } from './pooling';
import { flatten, identity, zeroPadding2d } from './reshape';

/** One converter per tfjs layer class the exporter supports. */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  Conv2D: conv2d,
  Dense: dense,
  Activation: activation,
  MaxPooling2D: pooling2d,
  AveragePooling2D: pooling2d,
  GlobalMaxPooling2D: globalPooling2d,
  GlobalAveragePooling2D: globalPooling2d,
  BatchNormalization: batchNormalization,
  Add: elementwise,
  Multiply: elementwise,
  Average: elementwise,
  Maximum: elementwise,
  Minimum: elementwise,
  Concatenate: concatenate,
  Flatten: flatten,
  ZeroPadding2D: zeroPadding2d,
  Dropout: identity,
};

/** Class names of the layers {@link exportOnnx} converts. */
export function supportedLayers(): string[] {
  return Object.keys(CONVERTERS);
}
