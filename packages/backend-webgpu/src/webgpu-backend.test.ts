import '@tensorflow/tfjs-layers';
import { describeBackendConformance } from '@tfbricks/core/testing';
import { webgpuBackend } from './webgpu-backend';

// In CI (.ci/run installs Mesa lavapipe) WebGPU must really run: TFBRICKS_REQUIRE_WEBGPU=1 makes
// an unavailable adapter a failure instead of a reported skip.
const required = process.env.TFBRICKS_REQUIRE_WEBGPU === '1';
describeBackendConformance(() => webgpuBackend(), { expectAvailable: required ? true : 'auto' });
