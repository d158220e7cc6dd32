export * from './wasm-backend';
export * from './kernels';
export { restoreStockWasmFactory, threadedNodeFactoryActive } from './node-threads';
