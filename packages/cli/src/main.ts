import { CommanderError } from 'commander';
import packageJson from '../package.json';
import { errorMessage, isTfbricksError, usageError } from '@tfbricks/core';
import type { CommandModule } from './command';
import { COMMANDS } from './commands/index';
import { type CliIo, println, processIo } from './io';
import { CliCommand } from './program';

export type { CommandContext, CommandHandler, CommandModule } from './command';

/** This package's version (from package.json, inlined at build time). */
export const VERSION: string = packageJson.version;

const COMMAND_NAMES = COMMANDS.map((c) => c.name);

type Invoked = { command: CommandModule; args: string[]; opts: Record<string, unknown> };

function buildProgram(io: CliIo, onAction: (invoked: Invoked) => void): CliCommand {
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
  for (const command of COMMANDS) {
    command.define(program).action(function (this: CliCommand, ...params: unknown[]) {
      const cmd = params[params.length - 1] as CliCommand;
      const args = params.slice(0, -2).flatMap((p) => (Array.isArray(p) ? p : p === undefined ? [] : [String(p)]));
      onAction({ command, args, opts: cmd.opts() });
    });
  }
  return program;
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
      throw usageError('E_USAGE', `missing command (allowed: ${COMMAND_NAMES.join(', ')}; see tfbricks --help)`);
    }
    let invoked: Invoked | undefined;
    const program = buildProgram(io, (parsed) => {
      invoked = parsed;
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
    if (!invoked) throw usageError('E_USAGE', `missing command (allowed: ${COMMAND_NAMES.join(', ')}; see tfbricks --help)`);
    const handler = await invoked.command.load();
    const { createCliRegistry } = await import('./backends');
    const registry = createCliRegistry(io.env);
    return await handler({ io, registry, args: invoked.args, opts: invoked.opts });
  } catch (error) {
    return reportError(error, io);
  }
}
