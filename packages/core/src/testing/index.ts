export * from './backend-conformance';
