export * from './wasm-backend';
export * from './kernels';
