import * as tfl from '@tensorflow/tfjs-layers';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { cudaBackend } from '@tfbricks/backend-cuda';
import { wasmBackend } from '@tfbricks/backend-wasm';
import { webgpuBackend } from '@tfbricks/backend-webgpu';
import { describeParity, reducedPrecisionTolerance } from '@tfbricks/core/testing';

// Every op and gradient the CIFAR-10 recipe needs, on every backend available in this run,
// against the cpu backend, from identical seeded inputs. Unavailable backends are skipped with
// the reason printed; TFBRICKS_REQUIRE_WEBGPU=1 (set in CI, which installs lavapipe) and
// TFBRICKS_REQUIRE_CUDA=1 turn that skip into a failure; wasm runs everywhere and is required. CUDA may use TF32 for matmul/conv on
// Ampere and newer GPUs, so its non-exact cases use the 1e-3 + 1e-3·|e| starting tolerance.
const required = [
  'wasm',
  ...(process.env.TFBRICKS_REQUIRE_WEBGPU === '1' ? ['webgpu'] : []),
  ...(process.env.TFBRICKS_REQUIRE_CUDA === '1' ? ['cuda'] : []),
];

describeParity({
  reference: cpuBackend(),
  backends: [webgpuBackend(), wasmBackend(), cudaBackend()],
  required,
  layers: tfl.layers,
  tolerance: reducedPrecisionTolerance(['cuda']),
});
