import { cpSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { listTree, runCli, tempDir } from './helpers';

/** A 16x16 image: bright class "day" (values ~200), dark class "night" (~40), with a small pattern. */
function image(bright: boolean, i: number): Buffer {
  const png = new PNG({ width: 16, height: 16 });
  for (let p = 0; p < 256; p++) {
    const v = (bright ? 200 : 40) + ((p + i) % 7) * 3;
    png.data.set([v, v, bright ? 220 : 30, 255], p * 4);
  }
  return PNG.sync.write(png);
}

function jpegImage(bright: boolean): Buffer {
  const data = Buffer.alloc(16 * 16 * 4, bright ? 210 : 35);
  return Buffer.from(jpeg.encode({ data, width: 16, height: 16 }, 90).data);
}

function snapshot(dir: string): string[] {
  return listTree(dir).map((p) => {
    const s = statSync(join(dir, p));
    return `${p} ${s.isDirectory() ? 'dir' : `${s.size} ${s.mtimeMs}`}`;
  });
}

describe('tfbricks train / dataset / predict / evaluate on a folder of class subfolders (cpu, tiny model)', () => {
  const cwd = tempDir();
  const imgs = join(cwd, 'photos');
  const env = { TFBRICKS_HOME: join(cwd, 'home') };
  let before: string[] = [];
  let train = { code: -1, stdout: '', stderr: '' };

  beforeAll(async () => {
    for (const [cls, bright] of [['day', true], ['night', false]] as const) {
      mkdirSync(join(imgs, cls), { recursive: true });
      for (let i = 0; i < 22; i++) writeFileSync(join(imgs, cls, `img_${String(i).padStart(2, '0')}.png`), image(bright, i));
      for (let i = 0; i < 2; i++) writeFileSync(join(imgs, cls, `photo_${i}.jpg`), jpegImage(bright));
    }
    writeFileSync(join(imgs, 'night', 'notes.png'), 'not an image, just text\n');
    before = snapshot(imgs);
    train = await runCli(
      [
        'train', '--model', 'tiny', '--data-dir', 'photos', '--image-size', '16x16', '--validation-split', '0.25', '--epochs', '1', '--batch-size', '8', '--backend', 'cpu', '--seed', '1', '--run-dir', 'run', '--skip-bad-images',
        '--featurewise-center', '--featurewise-std-normalization',
      ],
      { cwd, env },
    );
  }, 240_000);

  it('dataset <folder> reports classes, counts, sizes and the bad file (exit 1)', async () => {
    const r = await runCli(['dataset', 'photos'], { cwd, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Found 49 files belonging to 2 classes.');
    expect(r.stdout).toMatch(/day\s+24\n/);
    expect(r.stdout).toMatch(/night\s+25\n/);
    expect(r.stdout).toContain('image sizes: 16x16 (48)');
    expect(r.stdout).toMatch(/bad files: 1\n {2}.*notes\.png: not an image/);
  });

  it('without --skip-bad-images, training stops before it starts and lists the bad file', async () => {
    const r = await runCli(['train', '--model', 'tiny', '--data-dir', 'photos', '--image-size', '16x16', '--epochs', '1', '--backend', 'cpu', '--run-dir', 'refused'], { cwd, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 bad image file in .*photos:\n {2}.*notes\.png: not an image/);
    expect(r.stderr).toMatch(/--skip-bad-images/);
    expect(listTree(cwd)).not.toContain('refused');
  });

  it("prints Keras' lines, shapes the tiny model from the data, saves the class names", () => {
    expect(train.code, train.stderr + train.stdout).toBe(0);
    expect(train.stdout).toContain('Found 49 files belonging to 2 classes.');
    expect(train.stdout).toContain('Using 37 files for training.');
    expect(train.stdout).toContain('Using 12 files for validation.');
    expect(train.stdout).toContain('Skipped 1 bad image file.');
    // Featurewise statistics in folder mode: fitted on a bounded seeded sample of the training subset.
    expect(train.stdout).toContain('featurewise statistics: fitted on a seeded sample of 37 of the 37 training images (at most 1000 images and 64 MiB of pixels)');
    expect(train.stdout).toMatch(/conv2d_1 \(Conv2D\) +\(None, 16, 16, 8\)/);
    expect(train.stdout).toMatch(/dense_1 \(Dense\) +\(None, 2\)/);
    expect(train.stdout).toMatch(/^Epoch 1\/1 - /m);
    expect(JSON.parse(readFileSync(join(cwd, 'run', 'class-names.json'), 'utf8'))).toEqual(['day', 'night']);
    const config = JSON.parse(readFileSync(join(cwd, 'run', 'config.json'), 'utf8')).config;
    expect(config).toMatchObject({ imageSize: [16, 16], skipBadImages: true, validationSplit: 0.25 });
  });

  it('predict prints class names; evaluate uses the run folder and split', async () => {
    const p = await runCli(['predict', join('photos', 'day', 'img_00.png'), '--model', 'run', '--backend', 'cpu'], { cwd, env });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^ {2}1\. (day|night) /m);
    expect(p.stdout).toMatch(/^ {2}2\. (day|night) /m);
    const e = await runCli(['evaluate', 'run', '--backend', 'cpu'], { cwd, env });
    expect(e.code, e.stderr).toBe(0);
    // Keras printed 12 for validation; the bad file was one of them and is left out.
    expect(e.stdout).toContain('11 validation samples');
    expect(e.stdout).toMatch(/day|night/);
  }, 120_000);

  it('predict on a folder-trained run: a corrupt image is E_IMAGE_DECODE (exit 1, with a hint), as for a CIFAR-trained run', async () => {
    const whole = image(true, 3);
    writeFileSync(join(cwd, 'cut.png'), whole.subarray(0, whole.length >> 1));
    const r = await runCli(['predict', 'cut.png', '--model', 'run', '--backend', 'cpu'], { cwd, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tfbricks: error: cannot decode PNG image "cut\.png": /m);
    expect(r.stderr).toContain('hint: check that the file is a complete, valid image');
  }, 120_000);

  it('--resume continues a folder run: same split, one more epoch', async () => {
    const r = await runCli(['train', '--resume', 'run', '--epochs', '2', '--progress', 'epoch'], { cwd, env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Using 37 files for training.');
    expect(r.stdout).toMatch(/^Epoch 2\/2 - /m);
    expect(readFileSync(join(cwd, 'run', 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  }, 120_000);

  it('export refits the featurewise statistics of a folder run on the same seeded sample and bakes them in', async () => {
    const r = await runCli(['export', 'run', '--out', 'baked.onnx', '--include-preprocessing'], { cwd, env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('refitting the featurewise statistics');
    expect(r.stdout).toContain('featurewise statistics: fitted on a seeded sample of 37 of the 37 training images');
    const text = readFileSync(join(cwd, 'baked.onnx')).toString('latin1');
    const meta = JSON.parse(text.slice(text.indexOf('{"included"'), text.indexOf('}', text.indexOf('{"included"')) + 1));
    expect(meta.included).toBe(true);
    // Blue is 220 in "day" images and 30 in "night" ones: its mean lies between, its std is
    // at most half the gap; red and green (200-218 / 40-58) likewise.
    expect(meta.mean[2]).toBeGreaterThan(30 / 255);
    expect(meta.mean[2]).toBeLessThan(220 / 255);
    expect(meta.std[2]).toBeGreaterThan(0);
    expect(meta.std[2]).toBeLessThanOrEqual(95 / 255 + 1e-6);
    expect(meta.mean[0]).toBeCloseTo(meta.mean[1], 6);
  }, 120_000);

  it('a folder run records a fingerprint of its listing; --resume on a changed folder is refused, --data-changed-ok continues', async () => {
    const fp = JSON.parse(readFileSync(join(cwd, 'run', 'data-fingerprint.json'), 'utf8')).files;
    expect(Object.keys(fp).sort()).toEqual(['class folder "day"', 'class folder "night"', 'image options']);
    expect(fp['class folder "day"'].files).toBe(24);
    expect(fp['class folder "night"'].files).toBe(25);
    // One more image in "day" (the copies keep their mtimes, so only that differs).
    cpSync(imgs, join(cwd, 'photos-more'), { recursive: true, preserveTimestamps: true });
    writeFileSync(join(cwd, 'photos-more', 'day', 'img_99.png'), image(true, 99));
    cpSync(join(cwd, 'run'), join(cwd, 'rc'), { recursive: true });
    const before = snapshot(join(cwd, 'rc'));
    const r = await runCli(['train', '--resume', 'rc', '--data-dir', 'photos-more', '--epochs', '3', '--progress', 'none'], { cwd, env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('the data differs from the data run');
    expect(r.stderr).toContain('class folder "day" changed (24 -> 25 images)');
    expect(r.stderr).toContain('--data-changed-ok');
    // Continuing anyway cannot work with a different number of training images: the backup
    // (mid-run position, shuffle state) is tied to it; refused by the backup, nothing changed.
    const more = await runCli(['train', '--resume', 'rc', '--data-dir', 'photos-more', '--epochs', '3', '--data-changed-ok', '--progress', 'none'], { cwd, env });
    expect(more.code, more.stderr).toBe(2);
    expect(more.stderr).toContain('number of training records 37 but this run has 38');
    expect(snapshot(join(cwd, 'rc'))).toEqual(before);
    // A touched image (same count, same size) is a change too.
    cpSync(imgs, join(cwd, 'photos-touched'), { recursive: true, preserveTimestamps: true });
    utimesSync(join(cwd, 'photos-touched', 'night', 'img_03.png'), new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    const t = await runCli(['train', '--resume', 'rc', '--data-dir', 'photos-touched', '--epochs', '3', '--progress', 'none'], { cwd, env });
    expect(t.code, t.stderr).toBe(2);
    expect(t.stderr).toContain('class folder "night" changed (an image was replaced, renamed or modified; same count and total size)');
    expect(snapshot(join(cwd, 'rc'))).toEqual(before);
    const ok = await runCli(['train', '--resume', 'rc', '--data-dir', 'photos-touched', '--epochs', '3', '--data-changed-ok', '--progress', 'epoch'], { cwd, env });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stderr).toContain('tfbricks: warning: the data differs from the data run');
    expect(ok.stderr).toContain('continuing on the new data (--data-changed-ok)');
    expect(ok.stdout).toMatch(/^Epoch 3\/3 - /m);
    // The run now records the folder it continued on.
    const after = JSON.parse(readFileSync(join(cwd, 'rc', 'data-fingerprint.json'), 'utf8')).files;
    expect(after['class folder "night"'].sha256).not.toBe(fp['class folder "night"'].sha256);
    expect(after['class folder "day"']).toEqual(fp['class folder "day"']);
  }, 240_000);

  it('folder flags are checked: --image-size needs a folder, sizes are HxW, CIFAR-only flags are refused', async () => {
    const cifar = await runCli(['train', '--image-size', '16x16', '--run-dir', 'x'], { cwd, env });
    expect(cifar.code).toBe(2);
    expect(cifar.stderr).toMatch(/--image-size.*"16x16".*only with --data-dir <folder of class subfolders>/);
    const size = await runCli(['train', '--data-dir', 'photos', '--image-size', '0x16', '--run-dir', 'x'], { cwd, env });
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/--image-size.*"0x16".*<height>x<width>/);
    const limit = await runCli(['train', '--data-dir', 'photos', '--limit-train', '5', '--run-dir', 'x'], { cwd, env });
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/--limit-train.*only with CIFAR data/);
    const empty = tempDir();
    mkdirSync(join(empty, 'nothing-here'));
    const none = await runCli(['dataset', empty], { cwd, env });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('Found 0 files belonging to 1 classes.');
    expect(none.stdout).toContain('note: a single class');
  });

  it('never writes into the image folder', () => {
    expect(snapshot(imgs)).toEqual(before);
  });
});
