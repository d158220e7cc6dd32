import type { ModelSpec } from '@tfbricks/core';
import { plotModel } from '@tfbricks/layers/node';
import { writeFileAtomic } from '@tfbricks/core/node';

/** Write `<base>.svg`, `<base>.png` and `<base>.dot` of the model graph (like Keras' plot_model). */
export async function writeModelPlots(base: string, spec: ModelSpec, options: { showShapes?: boolean } = {}): Promise<string[]> {
  const plot = await plotModel(spec, { showShapes: options.showShapes ?? true });
  const files: [string, string | Uint8Array][] = [
    [`${base}.svg`, plot.svg],
    [`${base}.png`, plot.png],
    [`${base}.dot`, plot.dot],
  ];
  for (const [path, data] of files) writeFileAtomic(path, data);
  return files.map(([path]) => path);
}
