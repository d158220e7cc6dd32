import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

export default defineConfig(packageBuild({ index: 'src/index.ts', node: 'src/node/index.ts' }, { external: ['sharp', '@jsquash/jpeg'], shims: true }));
