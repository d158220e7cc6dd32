export * from './backend-conformance';
export * from './parity';
export * from './dataset-conformance';
export * from './augmentation-conformance';
