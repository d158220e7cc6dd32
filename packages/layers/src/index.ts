export * from './kinds';
export * from './spec';
export * from './build';
export * from './config';
export * from './zoo';
export * from "./summary";
export * from "./optimizer";
export { saveModel, loadModel, writeDirectoryAtomic, MODEL_FORMAT, MODEL_FORMAT_VERSION, type SaveOptions, type LoadOptions, type LoadedModel } from "./save";
export * from "./plot";
