import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderConfusionMatrix } from './confusion-matrix';
import { renderTrainingCurves } from './training-curves';
import { formatTick, niceTicks } from './svg';

const history = {
  epoch: [0, 1, 2, 3, 4, 5, 6, 7],
  history: {
    loss: [2.1, 1.7, 1.45, 1.3, 1.2, 1.12, 1.05, 1.0],
    acc: [0.22, 0.38, 0.48, 0.53, 0.57, 0.6, 0.62, 0.645],
    val_loss: [1.9, 1.6, 1.42, 1.35, 1.3, 1.28, 1.3, 1.29],
    val_acc: [0.3, 0.42, 0.5, 0.53, 0.55, 0.56, 0.56, 0.57],
  },
};

function pixelsOf(png: Uint8Array) {
  return PNG.sync.read(Buffer.from(png));
}

/** How many pixels are close to an RGB colour. */
function countColour(img: PNG, rgb: [number, number, number], tol = 40): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (Math.abs(img.data[i] - rgb[0]) + Math.abs(img.data[i + 1] - rgb[1]) + Math.abs(img.data[i + 2] - rgb[2]) < tol) n++;
  }
  return n;
}

describe('charts', () => {
  it('niceTicks picks round steps covering the range', () => {
    expect(niceTicks(0.22, 0.645)).toEqual({ lo: 0.2, hi: 0.7, ticks: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7] });
    expect(niceTicks(1, 2.1)).toEqual({ lo: 1, hi: 2.25, ticks: [1, 1.25, 1.5, 1.75, 2, 2.25] });
    expect(niceTicks(3, 3).ticks.length).toBeGreaterThan(1);
  });

  it('tick labels stay distinct when the range is tiny (loss 2.3024 … 2.3028)', async () => {
    const { ticks } = niceTicks(2.30242, 2.30284);
    const step = ticks[1] - ticks[0];
    const labels = ticks.map((t) => formatTick(t, step));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toContain('2.3025');
    expect(formatTick(0.25, 0.25)).toBe('0.25');
    expect(formatTick(3, 1)).toBe('3');
    const { svg } = await renderTrainingCurves({ epoch: [0, 1], history: { loss: [2.30249, 2.30242], val_loss: [2.30268, 2.30284] } });
    for (const label of ['2.3025', '2.3026', '2.3027', '2.3028']) expect(svg).toContain(`>${label}</text>`);
  });

  it('renderTrainingCurves draws loss and accuracy panels with train and validation lines', async () => {
    const { svg, png } = await renderTrainingCurves(history, { title: 'tiny on cifar10-mini' });
    expect(svg).toContain('Model accuracy');
    expect(svg).toContain('Model loss');
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    const img = pixelsOf(png);
    expect([img.width, img.height]).toEqual([1000, 450]);
    expect(countColour(img, [0x1f, 0x77, 0xb4])).toBeGreaterThan(300); // train lines
    expect(countColour(img, [0xff, 0x7f, 0x0e])).toBeGreaterThan(200); // validation lines
    expect(countColour(img, [0, 0, 0], 200)).toBeGreaterThan(500); // text and axes rendered
    if (process.env.TFBRICKS_CHART_OUT) (await import('node:fs')).writeFileSync(`${process.env.TFBRICKS_CHART_OUT}/curves.png`, png);
  });

  it('renderConfusionMatrix draws a heatmap with counts and recall', async () => {
    const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
    const matrix = names.map((_, t) => names.map((__, p) => (t === p ? 80 + t * 3 : (t * 7 + p * 3) % 5)));
    const { svg, png } = await renderConfusionMatrix(matrix, names, { title: 'Confusion matrix (test set)' });
    if (process.env.TFBRICKS_CHART_OUT) (await import('node:fs')).writeFileSync(`${process.env.TFBRICKS_CHART_OUT}/confusion.png`, png);
    expect(svg).toContain('>automobile<');
    expect(svg).toContain(`>${matrix[3][3]}<`);
    expect(svg.match(/<rect x=/g)!.length).toBeGreaterThanOrEqual(100);
    const img = pixelsOf(png);
    expect(img.width).toBeGreaterThan(500);
    expect(countColour(img, [56, 89, 137], 30)).toBeGreaterThan(1000); // dark diagonal cells (row rate 0.8)
    expect(countColour(img, [247, 251, 255], 6)).toBeGreaterThan(1000); // light off-diagonal cells
  });

  it('rejects malformed input', async () => {
    await expect(renderTrainingCurves({ epoch: [0], history: {} })).rejects.toThrow(/history has no "loss" values/);
    await expect(renderTrainingCurves({ epoch: [0, 1], history: { loss: [1] } })).rejects.toThrow(/history.loss has 1 values for 2 epochs/);
    await expect(renderConfusionMatrix([[1, 2]], ['a'])).rejects.toThrow(/square array/);
    await expect(renderConfusionMatrix([[1]], ['a', 'b'])).rejects.toThrow(/2 class names for a 1×1 matrix/);
  });
});
