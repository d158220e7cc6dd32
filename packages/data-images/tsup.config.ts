import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

export default defineConfig(packageBuild(undefined, { external: ['sharp', '@jsquash/jpeg'], shims: true }));
