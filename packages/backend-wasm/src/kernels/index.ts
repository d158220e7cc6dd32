export { TRAINING_KERNEL_NAMES, registerTrainingKernels, stockFallbackCount, trainingKernelsActive, unregisterTrainingKernels } from './register';
export { planFilterGrad } from './conv2d-backprop-filter';
export type { FilterGradPlan } from './conv2d-backprop-filter';
export { planInputGrad } from './conv2d-backprop-input';
export { directKernelCalls, relaxedSimdSupported } from './kernel-runtime';
