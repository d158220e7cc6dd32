/** A Node built-in by a computed name, so browser bundlers leave it alone (only Node code paths call this). */
export const builtin = <T>(name: string): Promise<T> => import(/* @vite-ignore */ /* webpackIgnore: true */ `node:${name}`) as Promise<T>;

/** Whether this runs in Node (the Node-only paths: worker threads, V8 flags, real file paths). */
export const isNode = (): boolean => Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);
