export * from './webgpu-backend';
export { ensureNavigatorGpu, type NodeGpuOptions } from './navigator-gpu';
export { describeAdapter } from './adapter-info';
export {
  registerTrainingKernels,
  type RegisterTrainingKernelsOptions,
  useStockKernels,
  trainingKernelsActive,
  setTrainingKernelVariant,
  TRAINING_KERNEL_NAMES,
  ADDED_KERNEL_NAMES,
  type TrainingKernelName,
  type TrainingKernelVariant,
} from './kernels';
