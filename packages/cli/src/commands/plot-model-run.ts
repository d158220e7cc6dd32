import { writeFileSync } from 'node:fs';
import { plotModel } from '@tfbricks/layers/node';
import { println } from '../io';
import type { CommandContext } from '../command';
import type { ModelSource } from '../model-source';
import { loadSavedSpec } from '../saved-spec';

export interface PlotModelPlan {
  source: ModelSource;
  out: string;
  format: 'svg' | 'png' | 'dot';
  showShapes: boolean;
}

/** Draw the model graph into `plan.out`. */
export async function runPlotModel(plan: PlotModelPlan, ctx: CommandContext): Promise<number> {
  const spec = plan.source.kind === 'spec' ? plan.source.spec : loadSavedSpec(plan.source.modelDir);
  const plot = await plotModel(spec, { showShapes: plan.showShapes });
  writeFileSync(plan.out, plan.format === 'png' ? plot.png : plan.format === 'svg' ? plot.svg : plot.dot);
  println(ctx.io.stdout, `model plot written to ${plan.out}`);
  return 0;
}
