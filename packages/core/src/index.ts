export * from './errors';
export * from './backend';
export * from './registry';
export * from './random';
export * from './dataset';
export * from './augmentation';
export * from './layers';
export * from './images';
