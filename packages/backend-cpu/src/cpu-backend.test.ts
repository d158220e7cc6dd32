import '@tensorflow/tfjs-layers';
import { describeBackendConformance } from '@tfbricks/core/testing';
import { cpuBackend } from './cpu-backend';

describeBackendConformance(() => cpuBackend(), { expectAvailable: true });
