import type { BackendRegistry } from '@tfbricks/core';
import type { CliIo } from './io';
import type { CliCommand } from './program';

/** Shared state a command handler receives. */
export interface CommandContext {
  io: CliIo;
  registry: BackendRegistry;
  args: string[];
  opts: Record<string, unknown>;
}

/** Runs a parsed invocation and returns the exit code. */
export type CommandHandler = (ctx: CommandContext) => Promise<number>;

/**
 * One `tfbricks` command: `define` declares its arguments and options on the program (cheap:
 * no heavy module is loaded for `--help` or `--version`); `load` imports its handler only
 * when the command runs.
 */
export interface CommandModule {
  name: string;
  define(program: CliCommand): CliCommand;
  load(): Promise<CommandHandler>;
}
