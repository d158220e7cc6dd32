import { CommanderError } from 'commander';
import packageJson from '../package.json';
import { type BackendRegistry, errorMessage, isTfbricksError, usageError } from '@tfbricks/core';
import { createCliRegistry } from './backends';
import { type CliIo, println, processIo } from './io';
import { CliCommand } from './program';
import { defineTrainOptions } from './commands/train-config';

/** Shared state a command handler receives. */
export interface CommandContext {
  io: CliIo;
  registry: BackendRegistry;
  args: string[];
  opts: Record<string, unknown>;
}

type Handler = (ctx: CommandContext) => Promise<number>;

/** This package's version (from package.json, inlined at build time). */
export const VERSION: string = packageJson.version;

const COMMANDS = ['train', 'evaluate', 'predict', 'summary', 'plot-model', 'backends', 'dataset'] as const;

function buildProgram(io: CliIo, onAction: (command: string, args: string[], opts: Record<string, unknown>) => void): CliCommand {
  const program = new CliCommand('tfbricks');
  program
    .description('Train, evaluate and inspect Keras-style CIFAR CNNs on TensorFlow.js (cuda, webgpu or cpu).')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(false)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: () => undefined,
      outputError: () => undefined,
    });
  const action = (name: string) =>
    function (this: CliCommand, ...params: unknown[]) {
      const cmd = params[params.length - 1] as CliCommand;
      const positional = params.slice(0, -2).flatMap((p) => (Array.isArray(p) ? p : p === undefined ? [] : [String(p)]));
      onAction(name, positional, cmd.opts());
    };

  defineTrainOptions(program.command('train').description('train a model (the tutorial recipe by default) into a run directory')).action(action('train'));

  program
    .command('evaluate')
    .description('evaluate a run dir or a model dir on the test set: loss, accuracy, per-class accuracy, confusion matrix')
    .argument('<dir>', 'a run directory or a saved model directory')
    .option('--data-dir <dir>', "dataset directory (default: the run's, else the cache)")
    .option('--dataset <name>', "cifar10 or cifar100 (default: the run's / model's)")
    .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
    .option('--batch-size <n>', 'evaluation batch size, an integer >= 1 (default 256)')
    .option('--limit-test <n>', "use only the first n test images, an integer >= 1 (default: the run's)")
    .option('--backend <name>', 'backend: cuda, webgpu, cpu or auto')
    .option('--out <dir>', 'also write the evaluation report (JSON, per-class CSV, confusion-matrix SVG/PNG) into this directory')
    .option('--json', 'print the result as JSON')
    .action(action('evaluate'));

  program
    .command('predict')
    .description('classify PNG/JPEG images with a trained model: top-k classes with probabilities')
    .argument('<images...>', 'PNG or JPEG files')
    .option('--model <dir>', 'a run directory or a saved model directory (required)')
    .option('--top-k <k>', 'how many classes to show per image, an integer >= 1 (default 3)')
    .option('--backend <name>', 'backend: cuda, webgpu, cpu or auto')
    .option('--json', 'print the result as JSON')
    .action(action('predict'));

  program
    .command('summary')
    .description("print a model's Keras-style summary table")
    .option('--model <name|file|dir>', 'zoo name, JSON spec file, run dir or model dir (default keras-cifar10-deep)')
    .option('--dataset <name>', 'shape the zoo model for cifar10 or cifar100 (default cifar10)')
    .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
    .action(action('summary'));

  program
    .command('plot-model')
    .description('draw the model graph (like keras.utils.plot_model) as SVG, PNG or DOT')
    .option('--model <name|file|dir>', 'zoo name, JSON spec file, run dir or model dir (default keras-cifar10-deep)')
    .option('--dataset <name>', 'shape the zoo model for cifar10 or cifar100 (default cifar10)')
    .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
    .option('--out <file>', 'output file ending in .svg, .png or .dot (default model.svg)')
    .option('--show-shapes', 'show output shapes (default on)')
    .option('--no-show-shapes', 'hide output shapes')
    .action(action('plot-model'));

  program
    .command('backends')
    .description('list the backends: available or not and why, with device details')
    .option('--json', 'print the result as JSON')
    .action(action('backends'));

  program
    .command('dataset')
    .description('download, verify or inspect a dataset (counts per class per split)')
    .argument('<action>', 'download, verify or inspect')
    .option('--dataset <name>', 'cifar10 or cifar100 (default cifar10)')
    .option('--label-mode <mode>', 'cifar100 labels: fine or coarse')
    .option('--data-dir <dir>', 'dataset directory (default: the cache)')
    .option('--json', 'print the result as JSON')
    .action(action('dataset'));

  return program;
}

async function loadHandler(command: string): Promise<Handler> {
  switch (command) {
    case 'train':
      return (await import('./commands/train')).trainCommand;
    case 'evaluate':
      return (await import('./commands/evaluate')).evaluateCommand;
    case 'predict':
      return (await import('./commands/predict')).predictCommand;
    case 'summary':
      return (await import('./commands/summary')).summaryCommand;
    case 'plot-model':
      return (await import('./commands/plot-model')).plotModelCommand;
    case 'backends':
      return (await import('./commands/backends')).backendsCommand;
    case 'dataset':
      return (await import('./commands/dataset')).datasetCommand;
    default:
      throw usageError('E_USAGE', `unknown command ${JSON.stringify(command)} (allowed: ${COMMANDS.join(', ')})`);
  }
}

/** One line: newlines in a message become spaces. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Print an error the CLI way and return the exit code. */
export function reportError(error: unknown, io: CliIo): number {
  const debug = io.env.TFBRICKS_DEBUG === '1';
  if (isTfbricksError(error)) {
    if (error.usage) {
      println(io.stderr, `tfbricks: error: ${oneLine(error.message)}`);
    } else {
      println(io.stderr, `tfbricks: error: ${error.message}`);
      if (error.hint) println(io.stderr, `hint: ${error.hint}`);
    }
    if (debug && error.stack) println(io.stderr, error.stack);
    return error.exitCode;
  }
  println(io.stderr, `tfbricks: error: ${errorMessage(error)}`);
  if (debug && error instanceof Error && error.stack) println(io.stderr, error.stack);
  else println(io.stderr, 'hint: this is a bug in tfbricks; rerun with TFBRICKS_DEBUG=1 for the stack trace and report it');
  return 1;
}

/**
 * Run the CLI with `argv` (without `node` and the script) and return the exit code:
 * 0 success, 1 failure, 2 usage error, 130/143 interrupted by SIGINT/SIGTERM.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    if (argv.length === 0) {
      throw usageError('E_USAGE', `missing command (allowed: ${COMMANDS.join(', ')}; see tfbricks --help)`);
    }
    let invoked: { command: string; args: string[]; opts: Record<string, unknown> } | undefined;
    const program = buildProgram(io, (command, args, opts) => {
      invoked = { command, args, opts };
    });
    try {
      program.parse(argv, { from: 'user' });
    } catch (error) {
      if (error instanceof CommanderError) {
        if (error.exitCode === 0) return 0;
        throw usageError('E_USAGE', oneLine(error.message.replace(/^error: /, '')));
      }
      throw error;
    }
    if (!invoked) throw usageError('E_USAGE', `missing command (allowed: ${COMMANDS.join(', ')}; see tfbricks --help)`);
    const handler = await loadHandler(invoked.command);
    const registry = createCliRegistry(io.env);
    return await handler({ io, registry, args: invoked.args, opts: invoked.opts });
  } catch (error) {
    return reportError(error, io);
  }
}
