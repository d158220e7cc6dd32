import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel, getModelSpec, modelToDot, renderModelPlot } from '../index';
import { plotModel, writeModelPlot } from './plot';

let root: string;
beforeAll(async () => {
  root = process.env.TFB_PLOT_DIR ?? (await mkdtemp(join(tmpdir(), 'tfb-layers-plot-')));
});
afterAll(async () => {
  if (!process.env.TFB_PLOT_DIR) await rm(root, { recursive: true, force: true });
});

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

describe('plotModel', () => {
  it('draws the seed model: one node per Keras layer, a chain of edges, shapes, settings; SVG and PNG', async () => {
    const spec = getModelSpec('keras-cifar10-deep');
    const { dot, svg, png } = await plotModel(spec);
    // 41 Keras layers + the input node, 41 edges.
    expect(dot.match(/^ {2}n\d+ \[label=/gm)).toHaveLength(42);
    expect(dot.match(/->/g)).toHaveLength(41);
    expect(dot).toMatch(/<B><FONT POINT-SIZE="11">conv2d_1<\/FONT><\/B><\/TD><TD WIDTH="\d+"><FONT POINT-SIZE="11">Conv2D</);
    expect(dot).toContain('32 filters 3×3, same · 896 params');
    expect(dot).toContain('(None, 16, 16, 48)');
    expect(dot).toContain('rate 0.25');
    expect(svg).toContain('<svg');
    expect(svg).toContain('global_max_pooling2d_1');
    expect(svg).toContain('activation_17');
    expect(Array.from(png.slice(0, 8))).toEqual(PNG_MAGIC);
    const { width, height } = pngSize(png);
    expect(height).toBeGreaterThan(width); // top to bottom
    const lr = await plotModel(spec, { rankdir: 'LR', showShapes: false });
    expect(lr.dot).toContain('rankdir=LR');
    expect(lr.dot).not.toContain('output:');
    const s = pngSize(lr.png);
    expect(s.width).toBeGreaterThan(s.height);
  });

  it('draws the residual branches of resnet20 with Add nodes fed by two edges', async () => {
    const dot = modelToDot(getModelSpec('resnet20'));
    const ids = new Map([...dot.matchAll(/^ {2}(n\d+) \[label=<.*?<B><FONT POINT-SIZE="11">([^<]+)<\/FONT><\/B>/gm)].map((m) => [m[2], m[1]]));
    const add1 = ids.get('add_1')!;
    const intoAdd = dot.match(new RegExp(`-> ${add1};`, 'g'));
    expect(intoAdd).toHaveLength(2);
    expect(dot).toContain('16 filters 1×1'.replace('16', '32')); // the 1x1 projection shortcut
  });

  it('a built (fused) model plots its Keras structure; writeModelPlot writes .dot/.svg/.png', async () => {
    const model = buildModel(getModelSpec('keras-cifar10-deep'));
    const paths = await writeModelPlot(model, { dir: root, basename: 'keras-cifar10-deep' }, { showLayerNames: true });
    const dot = await readFile(paths.dot, 'utf8');
    expect(dot).toMatch(/>activation_1<\/FONT><\/B><\/TD><TD WIDTH="\d+"><FONT POINT-SIZE="11">Activation<\/FONT><\/TD><\/TR><TR><TD COLSPAN="2" WIDTH="\d+"><FONT POINT-SIZE="10">relu</);
    expect(dot).toContain('>32 filters 3×3, same · 896 params<');
    expect(dot).not.toMatch(/>conv2d_1<[^\n]*, relu/); // the fused runtime config is not shown
    expect((await readFile(paths.svg, 'utf8')).startsWith('<?xml')).toBe(true);
    expect(Array.from((await readFile(paths.png)).subarray(0, 8))).toEqual(PNG_MAGIC);
    await writeModelPlot(getModelSpec('resnet20'), join(root, 'resnet20'), { rankdir: 'TB' });
    model.dispose();
  });

  it('rejects a bad rankdir', async () => {
    await expect(plotModel(getModelSpec('tiny'), { rankdir: 'UP' as 'TB' })).rejects.toThrow(/"rankdir" must be TB, LR, BT or RL, got "UP"/);
  });
});

describe('renderModelPlot (browser-safe)', () => {
  it('gives the same DOT and SVG as plotModel, without a PNG', async () => {
    const spec = getModelSpec('tiny');
    const svgOnly = await renderModelPlot(spec);
    const full = await plotModel(spec);
    expect(svgOnly.dot).toBe(full.dot);
    expect(svgOnly.svg).toBe(full.svg);
    expect(Object.keys(svgOnly).sort()).toEqual(['dot', 'svg']);
  });
});
