export * from './monitor';
export * from './early-stopping';
export * from './reduce-lr-on-plateau';
export * from './learning-rate-scheduler';
export * from './terminate-on-nan';
export * from './progress-logger';
