import type { CommandModule } from '../command';

export const exportModel: CommandModule = {
  name: 'export',
  define: (program) =>
    program
      .command('export')
      .description('export a run dir or a model dir for serving: ONNX (ONNX Runtime, TensorRT, OpenVINO)')
      .argument('<dir>', 'a run directory or a saved model directory')
      .option('--format <format>', 'export format: onnx (default onnx)')
      .option('--out <file>', 'the file to write, in an existing directory (e.g. model.onnx)')
      .option('--opset <n>', 'ONNX opset, an integer from 13 to 21 (default 17)')
      .option('--batch <n>', 'a fixed batch size, an integer >= 1 (default: dynamic)')
      .option('--nchw', 'take NCHW images (default NHWC, as tfjs)')
      .option('--include-preprocessing', 'bake the preprocessing (rescale 1/255 and any fitted standardisation) into the graph: the input is raw pixels 0-255')
      .option('--data-dir <dir>', "dataset directory, to refit the run's featurewise/ZCA statistics (default: the run's)")
      .option('--force', 'replace --out if it exists'),
  load: async () => (await import('./export-plan')).exportCommand,
};
