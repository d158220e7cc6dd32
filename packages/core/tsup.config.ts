import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

export default defineConfig(packageBuild({ index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'node/index': 'src/node/index.ts' }));
