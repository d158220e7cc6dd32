import * as tfl from '@tensorflow/tfjs-layers';
import { cpuBackend } from '@tfbricks/backend-cpu';
import { describeParity } from '@tfbricks/core/testing';
import { wasmBackend } from './wasm-backend';

// Every op and gradient the recipe needs, on wasm (XNNPACK + tfbricks' gradient kernels)
// against the cpu backend, at the suite's documented tolerances. wasm must be usable here.
describeParity({ reference: cpuBackend(), backends: [wasmBackend()], required: ['wasm'], layers: tfl.layers });
