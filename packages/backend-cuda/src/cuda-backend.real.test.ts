import '@tensorflow/tfjs-layers';
import { isTfbricksError } from '@tfbricks/core';
import { describeBackendConformance } from '@tfbricks/core/testing';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cudaBackend } from './cuda-backend';

// Install hints name the package manager from npm_config_user_agent; these expectations are pnpm's.
beforeEach(() => {
  vi.stubEnv('npm_config_user_agent', 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64');
});
afterEach(() => {
  vi.unstubAllEnvs();
});


// The real @tensorflow/tfjs-node-gpu: present only on CUDA machines. Where it does not
// resolve, the failure path is checked for real and the success path is reported as skipped.
// TFBRICKS_REQUIRE_CUDA=1 (set it on a CUDA CI runner) makes an unavailable cuda a failure.
function resolvable(): { ok: true; path: string } | { ok: false; reason: string } {
  try {
    return { ok: true, path: createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu') };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split('\n')[0] };
  }
}

const found = resolvable();
const required = process.env.TFBRICKS_REQUIRE_CUDA === '1';
console.info(
  found.ok
    ? `[cuda real] @tensorflow/tfjs-node-gpu resolves to ${found.path}: running the real init`
    : `[cuda real] SKIPPED the success path: @tensorflow/tfjs-node-gpu does not resolve here (${found.reason}); checking the failure path instead`,
);

describeBackendConformance(() => cudaBackend(), { expectAvailable: required ? true : 'auto' });

describe('cudaBackend with the real module loader', () => {
  it.runIf(!found.ok)('fails here with "not installed", the install command and the approve-builds note', async () => {
    const error = await cudaBackend().init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTfbricksError(error)).toBe(true);
    const err = error as { code: string; message: string; hint: string; details: { kind: string } };
    expect(err.code).toBe('E_BACKEND_INIT');
    expect(err.details.kind).toBe('not-installed');
    expect(err.hint).toContain('pnpm add @tensorflow/tfjs-node-gpu');
    expect(err.hint).toContain('approve-builds');
  });

  it.runIf(found.ok)('initialises or explains why not, and never leaves "tensorflow" silently active', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const before = tf.getBackend();
    const outcome = await cudaBackend().init().then(
      (r) => ({ ok: true as const, description: r.device.description }),
      (e: unknown) => ({ ok: false as const, error: e }),
    );
    console.info(`[cuda real] ${outcome.ok ? `available: ${outcome.description}` : `unavailable: ${(outcome.error as Error).message}`}`);
    expect(tf.getBackend()).toBe(before);
    if (!outcome.ok) {
      expect(isTfbricksError(outcome.error)).toBe(true);
      if (required) throw outcome.error;
    }
  });
});
