import type { Command } from 'commander';
import { invalid, parseChoice, parseNumber, parsePair, parseZoom } from './values';

/**
 * The `ImageDataGenerator` settings `train --augment` uses (Keras' option names in
 * camelCase). The defaults are the tutorial's: rotation 10°, width/height shift 0.2,
 * horizontal flip, `fillMode` nearest; everything else neutral.
 */
export interface AugmentSettings {
  featurewiseCenter: boolean;
  samplewiseCenter: boolean;
  featurewiseStdNormalization: boolean;
  samplewiseStdNormalization: boolean;
  zcaWhitening: boolean;
  zcaEpsilon: number;
  rotationRange: number;
  widthShiftRange: number;
  heightShiftRange: number;
  brightnessRange: [number, number] | null;
  shearRange: number;
  zoomRange: number | [number, number];
  channelShiftRange: number;
  fillMode: 'constant' | 'nearest' | 'reflect' | 'wrap';
  cval: number;
  horizontalFlip: boolean;
  verticalFlip: boolean;
}

export const TUTORIAL_AUGMENTATION: AugmentSettings = {
  featurewiseCenter: false,
  samplewiseCenter: false,
  featurewiseStdNormalization: false,
  samplewiseStdNormalization: false,
  zcaWhitening: false,
  zcaEpsilon: 1e-6,
  rotationRange: 10,
  widthShiftRange: 0.2,
  heightShiftRange: 0.2,
  brightnessRange: null,
  shearRange: 0,
  zoomRange: 0,
  channelShiftRange: 0,
  fillMode: 'nearest',
  cval: 0,
  horizontalFlip: true,
  verticalFlip: false,
};

const FILL_MODES = ['constant', 'nearest', 'reflect', 'wrap'] as const;

/** Add one flag per generator option to `cmd`. */
export function addAugmentOptions(cmd: Command): Command {
  const d = TUTORIAL_AUGMENTATION;
  return cmd
    .option('--rotation-range <degrees>', `random rotation in [-deg, deg], a number from 0 to 360 (default ${d.rotationRange})`)
    .option('--width-shift-range <fraction>', `random horizontal shift: a fraction of the width in [0, 1) or pixels >= 1 (default ${d.widthShiftRange})`)
    .option('--height-shift-range <fraction>', `random vertical shift: a fraction of the height in [0, 1) or pixels >= 1 (default ${d.heightShiftRange})`)
    .option('--shear-range <degrees>', `shear angle in degrees, a number >= 0 (default ${d.shearRange})`)
    .option('--zoom-range <z|lo,hi>', 'random zoom: z >= 0 for [1-z, 1+z], or "lo,hi" (default 0)')
    .option('--channel-shift-range <amount>', 'random channel shift, a number >= 0 on the [0, 1] scale of the rescaled images (default 0)')
    .option('--brightness-range <lo,hi>', 'random brightness factor range, two numbers >= 0 (default none)')
    .option('--fill-mode <mode>', `how points outside the image are filled: ${FILL_MODES.join(', ')} (default ${d.fillMode})`)
    .option('--cval <value>', 'fill value for --fill-mode constant, on the [0, 1] scale of the rescaled images (default 0)')
    .option('--horizontal-flip', 'randomly flip images horizontally (default on)')
    .option('--no-horizontal-flip', 'do not flip images horizontally')
    .option('--vertical-flip', 'randomly flip images vertically (default off)')
    .option('--no-vertical-flip', 'do not flip images vertically')
    .option('--featurewise-center', 'subtract the training set mean per channel (default off)')
    .option('--samplewise-center', 'subtract each image mean (default off)')
    .option('--featurewise-std-normalization', 'divide by the training set std per channel (default off)')
    .option('--samplewise-std-normalization', 'divide each image by its std (default off)')
    .option('--zca-whitening', 'apply ZCA whitening fitted on the training set (default off)')
    .option('--zca-epsilon <eps>', 'ZCA whitening epsilon, a number > 0 (default 1e-6)');
}

/** Validate the generator flags into settings. */
export function resolveAugmentSettings(opts: Record<string, unknown>): AugmentSettings {
  const s: AugmentSettings = { ...TUTORIAL_AUGMENTATION };
  const str = (key: string) => (typeof opts[key] === 'string' ? (opts[key] as string) : undefined);
  let v: string | undefined;
  if ((v = str('rotationRange')) !== undefined) s.rotationRange = parseNumber('--rotation-range', v, { min: 0, max: 360 });
  if ((v = str('widthShiftRange')) !== undefined) s.widthShiftRange = parseShift('--width-shift-range', v);
  if ((v = str('heightShiftRange')) !== undefined) s.heightShiftRange = parseShift('--height-shift-range', v);
  if ((v = str('shearRange')) !== undefined) s.shearRange = parseNumber('--shear-range', v, { min: 0 });
  if ((v = str('zoomRange')) !== undefined) s.zoomRange = parseZoom('--zoom-range', v);
  if ((v = str('channelShiftRange')) !== undefined) s.channelShiftRange = parseNumber('--channel-shift-range', v, { min: 0 });
  if ((v = str('brightnessRange')) !== undefined) s.brightnessRange = parsePair('--brightness-range', v, { min: 0 });
  if ((v = str('fillMode')) !== undefined) s.fillMode = parseChoice('--fill-mode', v, FILL_MODES);
  if ((v = str('cval')) !== undefined) s.cval = parseNumber('--cval', v);
  if ((v = str('zcaEpsilon')) !== undefined) s.zcaEpsilon = parseNumber('--zca-epsilon', v, { min: 0, minExclusive: true });
  if (typeof opts.horizontalFlip === 'boolean') s.horizontalFlip = opts.horizontalFlip;
  if (typeof opts.verticalFlip === 'boolean') s.verticalFlip = opts.verticalFlip;
  for (const key of ['featurewiseCenter', 'samplewiseCenter', 'featurewiseStdNormalization', 'samplewiseStdNormalization', 'zcaWhitening'] as const) {
    if (opts[key] === true) s[key] = true;
  }
  return s;
}

function parseShift(flag: string, value: string): number {
  const n = parseNumber(flag, value, { min: 0 });
  // Keras: a float < 1 is a fraction of the size, a value >= 1 is pixels (an integer).
  if (n >= 1 && !Number.isInteger(n)) invalid(flag, value, 'a fraction in [0, 1) or a whole number of pixels >= 1');
  return n;
}
