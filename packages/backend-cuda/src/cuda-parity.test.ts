import * as tfl from '@tensorflow/tfjs-layers';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { describeParity, reducedPrecisionTolerance } from '@tfbricks/core/testing';
import { cudaBackend } from './cuda-backend';

// The real cuda backend against cpu wherever @tensorflow/tfjs-node-gpu loads and sees a GPU;
// elsewhere every cuda case is skipped with the reason printed. TFBRICKS_REQUIRE_CUDA=1 makes
// an unavailable cuda a failure. TF32 (Ampere+) is allowed for: 1e-3 + 1e-3·|e| on non-exact cases.
describeParity({
  reference: cpuBackend(),
  backends: [cudaBackend()],
  required: process.env.TFBRICKS_REQUIRE_CUDA === '1' ? ['cuda'] : [],
  layers: tfl.layers,
  tolerance: reducedPrecisionTolerance(['cuda']),
});
