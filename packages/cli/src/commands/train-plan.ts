import type { CommandContext } from '../command';
import { resolveTrainConfig } from './train-config';

/** `tfbricks train`: validate every flag (no side effects), then run. */
export async function trainCommand(ctx: CommandContext): Promise<number> {
  const resolved = resolveTrainConfig(ctx.opts, { cwd: ctx.io.cwd, env: ctx.io.env, registry: ctx.registry });
  const { runTraining } = await import('./train-run');
  return runTraining(resolved, ctx);
}
