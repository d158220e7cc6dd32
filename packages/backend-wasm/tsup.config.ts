import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// shims: the CJS build gets `import.meta.url` (node-threads.ts resolves tfjs-backend-wasm's files from it).
export default defineConfig(packageBuild(undefined, { shims: true }));
