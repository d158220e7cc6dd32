export { plotModel, writeModelPlot } from './plot';
