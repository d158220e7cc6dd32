export * from './training-curves';
export * from './confusion-matrix';
