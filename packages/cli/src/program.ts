import { Command, Option } from 'commander';
import { TfbricksError, usageError } from '@tfbricks/core';

/** A parsed invocation: which command, its positional arguments and raw option values. */
export interface Invocation {
  command: string;
  args: string[];
  opts: Record<string, unknown>;
  /** Option names given on the command line (as opposed to defaults). */
  given: Set<string>;
}

function longFlags(cmd: Command): string[] {
  return cmd.options.filter((o) => o.long && !o.hidden).map((o) => o.long as string);
}

/**
 * A commander `Command` whose parse errors become one-line usage `TfbricksError`s
 * naming the flag, the value and what is allowed, instead of printing and exiting.
 */
export class CliCommand extends Command {
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  override error(message: string, options: { code?: string; exitCode?: number } = {}): never {
    const code = options.code ?? 'commander.error';
    const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
    const where = this.parent ? `tfbricks ${this.name()}` : 'tfbricks';
    switch (code) {
      case 'commander.unknownOption': {
        const flags = longFlags(this);
        throw usageError('E_USAGE', `unknown option ${JSON.stringify(quoted)} for ${where} (allowed: ${flags.join(', ') || 'none'})`, undefined, {
          flag: quoted,
        });
      }
      case 'commander.unknownCommand': {
        const names = this.commands.map((c) => c.name());
        throw usageError('E_USAGE', `unknown command ${JSON.stringify(quoted)} (allowed: ${names.join(', ')})`, undefined, { command: quoted });
      }
      case 'commander.optionMissingArgument': {
        const option = this.options.find((o) => o.flags === quoted);
        const flag = option?.long ?? quoted;
        throw usageError('E_USAGE', `option ${flag} needs a value (allowed: ${option?.description || 'a value'})`, undefined, { flag });
      }
      case 'commander.missingArgument':
        throw usageError('E_USAGE', `${where}: missing argument <${quoted}> (allowed: ${this.registeredArguments.find((a) => a.name() === quoted)?.description || 'a value'})`);
      case 'commander.excessArguments': {
        const expected = this.registeredArguments.map((a) => `<${a.name()}>`).join(' ');
        const extra = this.args.slice(this.registeredArguments.length);
        throw usageError('E_USAGE', `unexpected argument ${JSON.stringify(extra[0] ?? '')} for ${where} (allowed: ${expected ? `only ${expected}` : 'no positional arguments'})`);
      }
      case 'commander.conflictingOption':
        throw usageError('E_USAGE', message.replace(/^error: /, '').replace(/\s+/g, ' '));
      default:
        throw new TfbricksError('E_USAGE', message.replace(/^error: /, '').replace(/\s+/g, ' '), { usage: (options.exitCode ?? 1) !== 0 });
    }
  }
}

/** A value-taking option whose raw string the command validates itself. */
export function valueOption(flags: string, description: string): Option {
  return new Option(flags, description);
}
