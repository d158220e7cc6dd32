export * from './main';
export * from './io';
export * from './backends';
export * from './choices';
export * from './commands/train-options';
export * from './commands/train-config';
export * from './augment-options';
