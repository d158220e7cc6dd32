import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A stand-in for `@tensorflow/tfjs-node-gpu` for tests on machines without it: loading it
 * registers a "tensorflow" tfjs backend (the cpu backend's implementation and kernels under
 * that name), optionally reports `isUsingGpuDevice`, and calls `tf.setBackend('tensorflow')`
 * on "import", as the real module does.
 */
export function fakeTfjsNodeGpu(options: { isUsingGpuDevice: boolean | undefined }): () => Promise<unknown> {
  return async () => {
    if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
    tf.registerBackend(
      'tensorflow',
      () => {
        const backend = new MathBackendCPU();
        if (options.isUsingGpuDevice !== undefined) Object.assign(backend, { isUsingGpuDevice: options.isUsingGpuDevice, isGPUPackage: true });
        return backend;
      },
      3,
    );
    if (!tf.getKernel('Add', 'tensorflow')) {
      for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
    }
    // The real module does this on import (without awaiting).
    void tf.setBackend('tensorflow');
    return { version: { 'tfjs-node': 'fake' } };
  };
}

/** An error shaped like Node's for a package that is not installed. */
export function moduleNotFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/node_modules/@tfbricks/backend-cuda/dist/index.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

/** An error shaped like the dlopen failure of tfjs_binding.node when CUDA 11 is missing. */
export function dlopenError(library: string): Error {
  return Object.assign(
    new Error(
      `${library}: cannot open shared object file: No such file or directory\n    at Module._extensions..node (node:internal/modules/cjs/loader:1460:18)`,
    ),
    { code: 'ERR_DLOPEN_FAILED' },
  );
}
