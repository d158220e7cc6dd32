import { summary } from '@tfbricks/layers';
import { println } from '../io';
import type { CommandContext } from '../command';
import { resolveAnyModel, resolveShape } from '../model-source';

/** `tfbricks summary`: Keras' `model.summary()` table. */
export async function summaryCommand(ctx: CommandContext): Promise<number> {
  const { io, opts } = ctx;
  const shape = resolveShape(opts);
  const source = resolveAnyModel('--model', typeof opts.model === 'string' ? opts.model : 'keras-cifar10-deep', io.cwd, shape);
  if (source.kind === 'spec') {
    io.stdout.write(summary(source.spec));
    return 0;
  }
  const { loadSavedSpec } = await import('../saved-spec');
  io.stdout.write(summary(loadSavedSpec(source.modelDir)));
  println(io.stdout, `(from ${source.modelDir})`);
  return 0;
}
