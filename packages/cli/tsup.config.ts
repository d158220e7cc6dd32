import { defineConfig } from 'tsup';
import { exportEntries, packageBuild } from '../../tsup.shared';

// dist/cli.js is the binary's bundle (bin/tfbricks.js loads it); only the exports get types.
export default defineConfig(packageBuild({ ...exportEntries(), cli: 'src/bin.ts' }, { dts: { entry: exportEntries() } }));
