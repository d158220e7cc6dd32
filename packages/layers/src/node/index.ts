export { saveModel, loadModel, readSavedModelDescription, type LoadedModel } from './model-dir';
export { writeDirectoryAtomic, removeStaleSaveTemporaries, saveTemporaryPrefix } from './atomic-dir';
export { plotModel, writeModelPlot } from './plot';
