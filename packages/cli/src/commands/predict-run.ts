import { TfbricksError, describeResolution } from '@tfbricks/core';
import { predict } from '@tfbricks/train';
import { println } from '../io';
import type { CommandContext } from '../command';
import { loadPredictImage } from '../predict-image';
import { loadSavedModel } from '../saved-model';
import type { PredictPlan } from './predict-plan';

/** Top-k classes with probabilities for each image. */
export async function runPredict(plan: PredictPlan, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const backend = await ctx.registry.resolve(plan.backend ? { backend: plan.backend } : {});
  if (!plan.json) println(io.stdout, describeResolution(backend));
  const loaded = await loadSavedModel(plan.source.modelDir, ctx);
  try {
    const [h, w, c] = loaded.spec.inputShape;
    if (c !== 3) {
      throw new TfbricksError('E_PREDICT_MODEL', `the model in ${plan.source.modelDir} expects ${c} input channels; predict feeds RGB images (3 channels)`, {
        hint: 'use a model trained on RGB images (CIFAR-10/100)',
      });
    }
    const pixels = h * w * 3;
    const batch = new Uint8Array(plan.images.length * pixels);
    const folderTrained = loaded.metadata?.imageFolder !== undefined;
    const originals: { width: number; height: number }[] = [];
    for (const [i, img] of plan.images.entries()) {
      // A folder-trained model sees images resized as in training (tf.image.resize bilinear);
      // a CIFAR-trained one as Keras' load_img(..., interpolation='bilinear') resizes (PIL).
      const { data, original } = await loadPredictImage(img.path, img.shown, { width: w, height: h, maxPixels: plan.maxImagePixels, resize: folderTrained ? 'tf' : 'pil' });
      batch.set(data, i * pixels);
      originals.push(original);
    }
    const { probabilities, numClasses } = await predict(loaded.model, batch);
    const classNames = loaded.classNames ?? Array.from({ length: numClasses }, (_, i) => `class ${i}`);
    const k = Math.min(plan.topK, numClasses);
    const results = plan.images.map((img, i) => {
      const probs = Array.from(probabilities.subarray(i * numClasses, (i + 1) * numClasses));
      const top = probs
        .map((p, index) => ({ index, className: classNames[index] ?? String(index), probability: p }))
        .sort((a, b) => b.probability - a.probability || a.index - b.index)
        .slice(0, k);
      return { file: img.shown, width: originals[i].width, height: originals[i].height, resized: originals[i].width !== w || originals[i].height !== h, top };
    });
    if (plan.json) {
      println(io.stdout, JSON.stringify({ model: plan.source.modelDir, results }, null, 2));
      return 0;
    }
    for (const r of results) {
      println(io.stdout, `${r.file} (${r.width}×${r.height}${r.resized ? `, resized to ${w}×${h}` : ''}):`);
      r.top.forEach((t, rank) => println(io.stdout, `  ${rank + 1}. ${t.className.padEnd(12)} ${(t.probability * 100).toFixed(2).padStart(6)}%`));
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
