import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { filterGradSupported, runFilterGrad } from './conv2d-backprop-filter';
import { inputGradSupported, runInputGrad } from './conv2d-backprop-input';
import type { WebGpuBackendLike } from './program';

const BACKEND = 'webgpu';

/** Kernels this package replaces on the tfjs `webgpu` backend. */
export const TRAINING_KERNEL_NAMES = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;
export type TrainingKernelName = (typeof TRAINING_KERNEL_NAMES)[number];

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

/** The stock tfjs configs, kept when ours replace them so either can be switched back in. */
const stock = new Map<string, KernelConfig>();
let active = false;

function callStock(name: string, args: KernelArgs): TensorInfo | TensorInfo[] {
  const config = stock.get(name);
  if (!config) throw new Error(`tfbricks: no stock "${name}" kernel was saved for the webgpu backend`);
  return (config.kernelFunc as unknown as (a: KernelArgs) => TensorInfo | TensorInfo[])(args);
}

function maxPerDimension(backend: WebGpuBackendLike): number {
  return backend.device?.limits?.maxComputeWorkgroupsPerDimension ?? 65535;
}

const conv2DBackpropFilter = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (!filterGradSupported(info, x, dy)) return callStock('Conv2DBackpropFilter', args);
  return runFilterGrad(args.backend as WebGpuBackendLike, info, x, dy);
};

const conv2DBackpropInput = (args: KernelArgs): TensorInfo | TensorInfo[] => {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const backend = args.backend as WebGpuBackendLike;
  if (!inputGradSupported(info, dy, filter, maxPerDimension(backend))) return callStock('Conv2DBackpropInput', args);
  return runInputGrad(backend, info, dy, filter);
};

const ours: Record<TrainingKernelName, (args: KernelArgs) => TensorInfo | TensorInfo[]> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
};

function swap(name: string, kernelFunc: KernelFunc): void {
  if (tf.getKernel(name, BACKEND)) tf.unregisterKernel(name, BACKEND);
  tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc });
}

/**
 * Replace tfjs-backend-webgpu's training kernels (see {@link TRAINING_KERNEL_NAMES}) with
 * tfbricks' tiled WGSL ones. Call after `@tensorflow/tfjs-backend-webgpu` has been imported
 * (its stock kernels must be registered); idempotent. Shapes or formats ours do not handle
 * (NCHW, dilations > 1, non-float32) are passed to the stock kernel.
 * Returns the names of the kernels now served by tfbricks.
 */
export function registerTrainingKernels(): string[] {
  if (active) return [...TRAINING_KERNEL_NAMES];
  for (const name of TRAINING_KERNEL_NAMES) {
    if (!stock.has(name)) {
      const config = tf.getKernel(name, BACKEND);
      if (!config) {
        throw new Error(
          `tfbricks: registerTrainingKernels() found no stock "${name}" kernel on the webgpu backend; import @tensorflow/tfjs-backend-webgpu first`,
        );
      }
      stock.set(name, config);
    }
  }
  for (const name of TRAINING_KERNEL_NAMES) swap(name, ours[name] as unknown as KernelFunc);
  active = true;
  return [...TRAINING_KERNEL_NAMES];
}

/** Put tfjs' stock kernels back (for comparisons); `registerTrainingKernels()` re-enables ours. */
export function useStockKernels(): void {
  if (!active) return;
  for (const name of TRAINING_KERNEL_NAMES) {
    const config = stock.get(name);
    if (config) swap(name, config.kernelFunc);
  }
  active = false;
}

/** Whether tfbricks' training kernels currently serve the webgpu backend. */
export function trainingKernelsActive(): boolean {
  return active;
}
