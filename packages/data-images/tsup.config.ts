import { defineConfig } from 'tsup';
import { exportEntries, packageBuild } from '../../tsup.shared';

// The decode worker is its own entry: worker threads load it by path (dist/node/decode-worker.*).
export default defineConfig(packageBuild({ ...exportEntries(), 'node/decode-worker': 'src/node/decode-worker.ts' }, { external: ['sharp', '@jsquash/jpeg'], shims: true }));
