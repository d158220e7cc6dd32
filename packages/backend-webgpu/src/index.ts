export * from './webgpu-backend';
export { ensureNavigatorGpu, type NodeGpuOptions } from './navigator-gpu';
export { describeAdapter } from './adapter-info';
