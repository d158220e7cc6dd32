import * as tfl from '@tensorflow/tfjs-layers';
import { describeParity } from '@tfbricks/core/testing';
import { cpuBackend } from './cpu-backend';

// cpu is the parity reference: here every case must run on it, give finite values and leak
// no tensor. (Other backends are compared against it in their own packages and in @tfbricks/parity.)
describeParity({ reference: cpuBackend(), backends: [], layers: tfl.layers });
