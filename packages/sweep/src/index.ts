export * from './spec';
export * from './sweep-file';
export * from './space';
export * from './early-stopping';
export * from './trial-record';
export * from './leaderboard';
export * from './chart';
