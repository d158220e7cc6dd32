export { registerTrainingKernels, useStockKernels, trainingKernelsActive, TRAINING_KERNEL_NAMES, type TrainingKernelName, setTrainingKernelVariant, type TrainingKernelVariant } from './register';
