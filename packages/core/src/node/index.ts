export * from './fs-errors';
export * from './regular-file';
export * from './process-alive';
export * from './dir-lock';
export * from './atomic-file';
