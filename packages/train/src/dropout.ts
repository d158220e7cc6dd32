import type * as tfl from '@tensorflow/tfjs-layers';
import { SeedPurpose, deriveSeed } from './seeds';

/** Layers that take a `seed` for their random mask (tfjs' Dropout family). */
interface SeededLayer {
  seed?: number;
  rate?: number;
}

function isDropoutLike(layer: tfl.layers.Layer): boolean {
  const cls = layer.getClassName();
  return cls === 'Dropout' || cls === 'SpatialDropout1D' || cls === 'SpatialDropout2D' || cls === 'SpatialDropout3D';
}

/** Dropout layers of a model, including those of nested models, in a stable order. */
export function findDropoutLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const out: tfl.layers.Layer[] = [];
  const visit = (layers: tfl.layers.Layer[]) => {
    for (const layer of layers) {
      if (isDropoutLike(layer)) out.push(layer);
      const inner = (layer as unknown as { layers?: tfl.layers.Layer[] }).layers;
      if (Array.isArray(inner)) visit(inner);
    }
  };
  visit(model.layers);
  return out;
}

/**
 * tfjs' Dropout passes its `seed` field to `tf.dropout` → `tf.randomUniform`, which draws
 * from a seedrandom generator on the host when a seed is given (and from `Math.random`
 * otherwise). A fixed seed would repeat the same mask every step, so before every step
 * the trainer sets each dropout layer's seed to one derived from (run seed, epoch, step,
 * layer index): masks differ per step and layer, and a resumed run draws the same ones.
 * (The masks are drawn on the host by seedrandom and uploaded, so they are also the same on
 * every backend.)
 */
export function seedDropoutLayers(layers: tfl.layers.Layer[], seed: number, epoch: number, step: number): void {
  for (let i = 0; i < layers.length; i++) {
    (layers[i] as unknown as SeededLayer).seed = deriveSeed(seed, SeedPurpose.dropout, epoch, step, i);
  }
}

/** Remember the layers' own seeds; the returned function puts them back. */
export function saveDropoutSeeds(layers: tfl.layers.Layer[]): () => void {
  const saved = layers.map((l) => (l as unknown as SeededLayer).seed);
  return () => layers.forEach((l, i) => ((l as unknown as SeededLayer).seed = saved[i]));
}
