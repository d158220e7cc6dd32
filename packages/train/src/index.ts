export * from './types';
export * from './fit';
export * from './evaluate';
export * from './model-info';
export * from './learning-rate';
export * from './seeds';
export * from './callbacks/index';
