import '@tensorflow/tfjs-layers';
import { describeBackendConformance } from '@tfbricks/core/testing';
import { cudaBackend } from './cuda-backend';
import { fakeTfjsNodeGpu } from './test-support/fake-tfjs-node-gpu';

// The success path of the plugin contract, with a stand-in for @tensorflow/tfjs-node-gpu that
// registers a "tensorflow" tfjs backend (cpu kernels under that name) and reports a GPU.
describeBackendConformance(
  () => cudaBackend({ loadModule: fakeTfjsNodeGpu({ isUsingGpuDevice: true }), probeGpus: async () => ({ ok: true, gpus: ['Fake GPU'] }), env: {} }),
  { expectAvailable: true },
);
