import { isTfbricksError } from '@tfbricks/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { classifyLoadError, missingModuleName } from './load-errors';
import { dlopenError, moduleNotFound } from './test-support/fake-tfjs-node-gpu';

// Install hints name the package manager from npm_config_user_agent; these expectations are pnpm's.
beforeEach(() => {
  vi.stubEnv('npm_config_user_agent', 'pnpm/10.34.8 npm/? node/v20.20.2 linux x64');
});
afterEach(() => {
  vi.unstubAllEnvs();
});


const kind = (e: unknown) => (classifyLoadError(e).details as { kind: string }).kind;

describe('classifyLoadError', () => {
  it('module not found (ESM, CJS, message only) → not-installed with install command and approve-builds', () => {
    const esm = classifyLoadError(moduleNotFound('@tensorflow/tfjs-node-gpu'));
    expect(isTfbricksError(esm)).toBe(true);
    expect(esm.code).toBe('E_BACKEND_INIT');
    expect(esm.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(esm.hint).toContain('pnpm add @tensorflow/tfjs-node-gpu');
    expect(esm.hint).toContain('pnpm approve-builds');
    expect(esm.hint).toContain('onlyBuiltDependencies');
    expect(esm.hint).toContain('CUDA 11.2 and cuDNN 8.1');
    const cjs = Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node-gpu'\nRequire stack:\n- /app/x.js"), { code: 'MODULE_NOT_FOUND' });
    expect(kind(cjs)).toBe('not-installed');
    expect(kind(new Error("Cannot find module '@tensorflow/tfjs-node-gpu'"))).toBe('not-installed');
  });

  it('a missing dependency of the module is named, not reported as the module itself', () => {
    const e = Object.assign(new Error("Cannot find module '/app/node_modules/.pnpm/x/node_modules/@tensorflow/tfjs/dist/index.js'"), {
      code: 'MODULE_NOT_FOUND',
    });
    const err = classifyLoadError(e);
    expect((err.details as { kind: string }).kind).toBe('dependency-missing');
    expect(err.message).toContain('"@tensorflow/tfjs"');
    expect(missingModuleName(new Error("Cannot find package 'adm-zip/lib' imported from /x"))).toBe('adm-zip');
    expect(missingModuleName(new Error('something else'))).toBeUndefined();
  });

  it('npm users get npm commands and no approve-builds (npm runs install scripts)', () => {
    vi.stubEnv('npm_config_user_agent', 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false');
    const hint = classifyLoadError(moduleNotFound('@tensorflow/tfjs-node-gpu')).hint ?? '';
    expect(hint).toContain('npm install @tensorflow/tfjs-node-gpu');
    expect(hint).not.toContain('pnpm');
    expect(hint).not.toContain('approve-builds');
    const addon = classifyLoadError(new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x'));
    expect(addon.hint).toContain('npm rebuild @tensorflow/tfjs-node-gpu');
    expect(addon.hint).not.toContain('pnpm');
  });

  it('native addon missing → rebuild with approve-builds', () => {
    const e = new Error(
      'The Node.js native addon module (tfjs_binding.node) can not be found at path: /app/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node. \nPlease run command ...',
    );
    const err = classifyLoadError(e);
    expect((err.details as { kind: string }).kind).toBe('addon-not-built');
    expect(err.hint).toContain('pnpm rebuild @tensorflow/tfjs-node-gpu');
    expect(err.hint).toContain('approve-builds');
  });

  it('missing CUDA / cuDNN / libtensorflow shared libraries are named with the version hint', () => {
    const cuda = classifyLoadError(dlopenError('libcudart.so.11.0'));
    expect((cuda.details as { kind: string; library: string }).kind).toBe('cuda-library-missing');
    expect(cuda.message).toContain('libcudart.so.11.0');
    expect(cuda.hint).toContain('CUDA 11.2 and cuDNN 8.1');
    expect(cuda.hint).toContain('LD_LIBRARY_PATH');
    const cudnn = classifyLoadError(dlopenError('libcudnn.so.8'));
    expect((cudnn.details as { kind: string }).kind).toBe('cudnn-library-missing');
    expect(cudnn.message).toContain('cuDNN');
    expect(kind(dlopenError('libcublasLt.so.11'))).toBe('cuda-library-missing');
    const tfLib = classifyLoadError(dlopenError('libtensorflow.so.2'));
    expect((tfLib.details as { kind: string }).kind).toBe('libtensorflow-missing');
    expect(tfLib.hint).toContain('pnpm rebuild');
    expect(kind(dlopenError('libstdc++.so.6'))).toBe('native-load-failed');
    expect(kind(Object.assign(new Error('weird'), { code: 'ERR_DLOPEN_FAILED' }))).toBe('native-load-failed');
  });

  it('anything else → load-failed carrying the original message', () => {
    const err = classifyLoadError(new TypeError('boom at line 3'));
    expect((err.details as { kind: string }).kind).toBe('load-failed');
    expect(err.message).toContain('boom at line 3');
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(kind('a string')).toBe('load-failed');
  });
});

describe('classifyLoadError with bundler/test-runner wording', () => {
  it("vite's module runner: Could not resolve / Failed to load url", () => {
    expect(kind(new Error('Could not resolve "@tensorflow/tfjs-node-gpu" imported by "@tfbricks/backend-cuda".'))).toBe('not-installed');
    expect(kind(new Error('Failed to load url @tensorflow/tfjs-node-gpu (resolved id: @tensorflow/tfjs-node-gpu)'))).toBe('not-installed');
  });
});
