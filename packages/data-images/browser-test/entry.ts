// Runs in headless Chromium (browser.test.ts): a generated folder of PNGs (encoded by the
// browser's own canvas), read by blobFolderReader with imageDatasetFromDirectoryWith. The
// report goes back to the test through the page hook (exposeBrowserTest).
import { type BlobImageFile, blobFolderReader, imageDatasetFromDirectoryWith } from '@tfbricks/data-images';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { exposeBrowserTest } from '@tfbricks/test-browser';

export interface BrowserReport {
  lines: string[];
  classNames: string[];
  filePaths: string[];
  firstPixels: number[][];
  labels: number[];
  bad: string;
}

async function png(r: number, g: number, b: number, w: number, h: number): Promise<Blob> {
  const c = new OffscreenCanvas(w, h);
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
  ctx.fillRect(0, 0, w, h);
  return c.convertToBlob({ type: 'image/png' });
}

export async function run(): Promise<BrowserReport> {
  await tf.setBackend('cpu');
  const files: BlobImageFile[] = [];
  for (const [k, cls] of ['cat', 'dog'].entries()) {
    for (let i = 0; i < 5; i++) files.push({ relativePath: `pets/${cls}/${cls}_${i}.png`, blob: await png(10 + 100 * k, i * 20, 7, 12, 9) });
  }
  files.push({ relativePath: 'pets/dog/readme.txt', blob: new Blob(['not listed']) });
  const lines: string[] = [];
  const reader = blobFolderReader(files);
  const ds = (await imageDatasetFromDirectoryWith(reader, 'pets', { imageSize: [4, 4], batchSize: 4, shuffle: false, print: (l) => lines.push(l) })) as Awaited<ReturnType<typeof imageDatasetFromDirectoryWith>> & { filePaths: string[]; classNames: string[] };
  const firstPixels: number[][] = [];
  const labels: number[] = [];
  for await (const { xs, ys } of ds as unknown as AsyncIterable<{ xs: tf.Tensor4D; ys: tf.Tensor }>) {
    const px = (await xs.data()) as Float32Array;
    for (let i = 0; i < xs.shape[0]; i++) firstPixels.push(Array.from(px.subarray(i * 48, i * 48 + 3)));
    labels.push(...Array.from(await ys.data()));
    tf.dispose([xs, ys]);
  }
  let bad = '';
  const good = new Uint8Array(await (await png(1, 2, 3, 8, 8)).arrayBuffer());
  const bomb = good.slice(0, 33);
  new DataView(bomb.buffer).setUint32(16, 30000);
  new DataView(bomb.buffer).setUint32(20, 30000);
  const broken = blobFolderReader([
    { relativePath: 'x/a/bad.png', blob: new Blob([good.slice(0, 40)]) },
    { relativePath: 'x/a/bomb.png', blob: new Blob([bomb]) },
    { relativePath: 'x/a/ok.png', blob: new Blob([good]) },
  ]);
  try {
    await imageDatasetFromDirectoryWith(broken, 'x', { verbose: false, imageSize: [2, 2] });
  } catch (error) {
    bad = (error as Error).message;
  }
  return { lines, classNames: [...(ds.classNames ?? [])], filePaths: [...ds.filePaths], firstPixels, labels, bad };
}

exposeBrowserTest(run);
