export { registerTrainingKernels, useStockKernels, trainingKernelsActive, TRAINING_KERNEL_NAMES, type TrainingKernelName } from './register';
