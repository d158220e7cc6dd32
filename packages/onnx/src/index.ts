export { exportOnnx, PRODUCER } from './export';
export { MIN_OPSET, MAX_OPSET, irVersionFor, type ExportOptions, type Preprocessing } from './options';
export { supportedLayers } from './convert/index';
export { ONNX_ACTIVATIONS } from './convert/activation';
