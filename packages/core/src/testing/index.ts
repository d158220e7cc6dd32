export * from './backend-conformance';
export * from './parity';
