import '@tensorflow/tfjs-layers';
import { describeBackendConformance } from '@tfbricks/core/testing';
import { wasmBackend } from './wasm-backend';

describeBackendConformance(() => wasmBackend(), { expectAvailable: true });
