import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// One registry and one release are shared by every consumer of a run (beforeAll): give it time.
export default defineConfig(mergeConfig(sharedConfig({ testTimeout: 600_000 }), { test: { hookTimeout: 900_000, maxConcurrency: 2 } }));
