export * from './cuda-backend';
export { type GpuProbe, type ExecFn, probeNvidiaGpus, parseNvidiaSmiList, cudaVisibleDevices } from './gpu-probe';
export { type CudaFailureKind, classifyLoadError, CUDA_REQUIREMENT, TFJS_NODE_GPU } from './load-errors';
