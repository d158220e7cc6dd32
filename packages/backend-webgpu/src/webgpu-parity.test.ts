import * as tfl from '@tensorflow/tfjs-layers';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { describeParity } from '@tfbricks/core/testing';
import { webgpuBackend } from './webgpu-backend';

// Every op and gradient the recipe needs, on WebGPU against the cpu backend. In CI
// TFBRICKS_REQUIRE_WEBGPU=1 turns an unavailable adapter into a failure instead of a skip.
describeParity({
  reference: cpuBackend(),
  backends: [webgpuBackend()],
  required: process.env.TFBRICKS_REQUIRE_WEBGPU === '1' ? ['webgpu'] : [],
  layers: tfl.layers,
});
