export * from './folder';
export * from './load';
export { defaultCacheDir } from './cache';
export { checkRedirect } from './download';
export { createReporter } from './progress';
export * from './plugin';
