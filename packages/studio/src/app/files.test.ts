import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSVLogger } from '@tfbricks/train/node';
import type { TrainingContext } from '@tfbricks/train';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar } from '../../../data-cifar/src/tar-reader';
import { metricsCsv, tarFiles } from './files';

const tmp = mkdtempSync(join(tmpdir(), 'tfb-studio-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the downloads', () => {
  it('the model .tar is a ustar archive that tar and the dataset reader both read back exactly', () => {
    const weights = new Uint8Array(1500).map((_, i) => (i * 7) & 0xff);
    const tar = tarFiles('tfbricks-tiny', { 'model.json': '{"format":"x"}', 'weights.bin': weights, 'optimizer.bin': new Uint8Array(0) });
    expect(tar.length % 512).toBe(0);
    const seen: Record<string, { type: string; body: Uint8Array }> = {};
    readTar(tar, 'm.tar', (m) => (seen[m.path] = { type: m.type, body: m.body.slice() }));
    expect(Object.keys(seen)).toEqual(['tfbricks-tiny/', 'tfbricks-tiny/model.json', 'tfbricks-tiny/weights.bin', 'tfbricks-tiny/optimizer.bin']);
    expect(seen['tfbricks-tiny/']!.type).toBe('Directory');
    expect(seen['tfbricks-tiny/weights.bin']!.body).toEqual(weights);
    const path = join(tmp, 'm.tar');
    writeFileSync(path, tar);
    execFileSync('tar', ['-xf', path, '-C', tmp]);
    expect(readFileSync(join(tmp, 'tfbricks-tiny/model.json'), 'utf8')).toBe('{"format":"x"}');
    expect(new Uint8Array(readFileSync(join(tmp, 'tfbricks-tiny/weights.bin')))).toEqual(weights);
  });

  it("the metrics CSV is byte-identical to Keras' CSVLogger as tfbricks train writes it", async () => {
    const history = { epoch: [0, 1, 2], history: { loss: [2.302585, 1.9, 1.7], acc: [0.1, 0.25, 0.3125], val_loss: [2.2, 2.0, 1.8], val_acc: [0.125, 0.2, 0.34375] } };
    const path = join(tmp, 'metrics.csv');
    const logger = new CSVLogger(path);
    await logger.onTrainBegin({ epoch: 0, step: 0, params: { initialEpoch: 0 } } as unknown as TrainingContext);
    for (const e of history.epoch) {
      const logs = Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[e]!]));
      await logger.onEpochEnd(e, logs);
    }
    expect(metricsCsv(history)).toBe(readFileSync(path, 'utf8'));
  });
});
