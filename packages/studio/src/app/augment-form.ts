// The ImageDataGenerator options as a form, with the tutorial's values as defaults.
import type { ImageDataGeneratorOptions } from '@tfbricks/augment';

type Field =
  | { key: keyof ImageDataGeneratorOptions; label: string; kind: 'number'; value: number; min?: number; max?: number; step?: number; title: string }
  | { key: keyof ImageDataGeneratorOptions; label: string; kind: 'check'; value: boolean; title: string }
  | { key: keyof ImageDataGeneratorOptions; label: string; kind: 'select'; value: string; choices: string[]; title: string }
  | { key: keyof ImageDataGeneratorOptions; label: string; kind: 'pair'; value: string; title: string };

/** Every ImageDataGenerator option; defaults: the tutorial's (rotation 10°, shifts 0.2, horizontal flip, nearest). */
export const AUGMENT_FIELDS: Field[] = [
  { key: 'rotationRange', label: 'rotation range (°)', kind: 'number', value: 10, min: 0, max: 360, step: 1, title: 'random rotation in [-deg, deg]' },
  { key: 'widthShiftRange', label: 'width shift range', kind: 'number', value: 0.2, min: 0, step: 0.05, title: 'fraction of the width (< 1) or pixels (>= 1)' },
  { key: 'heightShiftRange', label: 'height shift range', kind: 'number', value: 0.2, min: 0, step: 0.05, title: 'fraction of the height (< 1) or pixels (>= 1)' },
  { key: 'shearRange', label: 'shear range (°)', kind: 'number', value: 0, min: 0, step: 1, title: 'shear angle in degrees' },
  { key: 'zoomRange', label: 'zoom range', kind: 'number', value: 0, min: 0, step: 0.05, title: 'z: zoom in [1-z, 1+z]' },
  { key: 'channelShiftRange', label: 'channel shift range', kind: 'number', value: 0, min: 0, step: 0.01, title: 'on the [0, 1] scale of the rescaled images' },
  { key: 'brightnessRange', label: 'brightness range (lo,hi)', kind: 'pair', value: '', title: 'two numbers >= 0, e.g. 0.8,1.2; empty: off' },
  { key: 'fillMode', label: 'fill mode', kind: 'select', value: 'nearest', choices: ['nearest', 'constant', 'reflect', 'wrap'], title: 'how points outside the image are filled' },
  { key: 'cval', label: 'cval', kind: 'number', value: 0, step: 0.1, title: 'fill value for fill mode constant' },
  { key: 'horizontalFlip', label: 'horizontal flip', kind: 'check', value: true, title: 'randomly flip images horizontally' },
  { key: 'verticalFlip', label: 'vertical flip', kind: 'check', value: false, title: 'randomly flip images vertically' },
  { key: 'featurewiseCenter', label: 'featurewise center', kind: 'check', value: false, title: 'subtract the training set mean per channel' },
  { key: 'featurewiseStdNormalization', label: 'featurewise std normalization', kind: 'check', value: false, title: 'divide by the training set std per channel' },
  { key: 'samplewiseCenter', label: 'samplewise center', kind: 'check', value: false, title: 'subtract each image mean' },
  { key: 'samplewiseStdNormalization', label: 'samplewise std normalization', kind: 'check', value: false, title: 'divide each image by its std' },
  { key: 'zcaWhitening', label: 'ZCA whitening', kind: 'check', value: false, title: 'fitted on the training images (slow for many images)' },
  { key: 'zcaEpsilon', label: 'ZCA epsilon', kind: 'number', value: 1e-6, min: 0, step: 1e-6, title: 'ZCA whitening epsilon' },
];

/** Build the form's inputs into `root`. */
export function buildAugmentForm(root: HTMLElement, onChange: () => void): void {
  for (const f of AUGMENT_FIELDS) {
    const label = document.createElement('label');
    label.title = f.title;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'select') {
      const s = document.createElement('select');
      for (const c of f.choices) s.append(new Option(c, c, c === f.value, c === f.value));
      input = s;
    } else {
      const i = document.createElement('input');
      if (f.kind === 'check') {
        i.type = 'checkbox';
        i.checked = f.value;
        label.className = 'check';
      } else if (f.kind === 'pair') {
        i.type = 'text';
        i.value = f.value;
        i.placeholder = 'off';
      } else {
        i.type = 'number';
        i.value = String(f.value);
        if (f.min !== undefined) i.min = String(f.min);
        if (f.max !== undefined) i.max = String(f.max);
        if (f.step !== undefined) i.step = String(f.step);
      }
      input = i;
    }
    input.id = `aug-${f.key}`;
    input.dataset.testid = `aug-${f.key}`;
    input.addEventListener('change', onChange);
    if (f.kind === 'check') label.append(input, document.createTextNode(f.label));
    else label.append(document.createTextNode(f.label), input);
    root.append(label);
  }
}

/** Read the form; throws naming the field and the value when one is not allowed. */
export function readAugmentForm(): ImageDataGeneratorOptions {
  const out: Record<string, unknown> = {};
  for (const f of AUGMENT_FIELDS) {
    const el = document.getElementById(`aug-${f.key}`) as HTMLInputElement;
    if (f.kind === 'check') out[f.key] = el.checked;
    else if (f.kind === 'select') out[f.key] = el.value;
    else if (f.kind === 'pair') {
      const v = el.value.trim();
      if (v === '') continue;
      const parts = v.split(',').map((p) => Number(p.trim()));
      if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p) || p < 0) || parts[0] > parts[1]) {
        throw new Error(`${f.label}: "${v}" is not allowed; give two numbers lo,hi with 0 <= lo <= hi, or leave it empty`);
      }
      out[f.key] = [parts[0], parts[1]];
    } else {
      const n = Number(el.value);
      if (el.value.trim() === '' || !Number.isFinite(n) || (f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
        throw new Error(`${f.label}: "${el.value}" is not allowed; give a number${f.min !== undefined ? ` >= ${f.min}` : ''}${f.max !== undefined ? ` and <= ${f.max}` : ''}`);
      }
      out[f.key] = n;
    }
  }
  return out as ImageDataGeneratorOptions;
}
