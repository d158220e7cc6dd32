export * from './cpu-backend';
