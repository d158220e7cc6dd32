import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTree, runCli, tempDir } from './helpers';

/**
 * Every bad invocation exits 2 with exactly one stderr line naming the flag, the value and
 * what is allowed; no stack trace; nothing written to the working directory or the fixtures.
 */
interface Case {
  argv: (fx: Fixtures) => string[];
  /** Substrings the error line must contain (flag, value, allowed values). */
  mentions: (fx: Fixtures) => string[];
  env?: Record<string, string>;
}

interface Fixtures {
  root: string;
  notJson: string;
  aFile: string;
  emptyDir: string;
  otherRun: string;
  strangerDir: string;
  image: string;
}

const cases: Record<string, Case> = {
  'unknown flag': { argv: () => ['train', '--bogus'], mentions: () => ['"--bogus"', 'allowed:', '--epochs'] },
  'unknown flag with value': { argv: () => ['train', '--epoch', '3'], mentions: () => ['"--epoch"', 'allowed:'] },
  'negative epochs': { argv: () => ['train', '--epochs', '-1'], mentions: () => ['--epochs', '"-1"', 'an integer >= 1'] },
  'fractional epochs': { argv: () => ['train', '--epochs', '2.5'], mentions: () => ['--epochs', '"2.5"', 'an integer >= 1'] },
  'non-numeric epochs': { argv: () => ['train', '--epochs=ten'], mentions: () => ['--epochs', '"ten"', 'an integer >= 1'] },
  'zero epochs': { argv: () => ['train', '--epochs', '0'], mentions: () => ['--epochs', '"0"', 'an integer >= 1'] },
  'epochs without value': { argv: () => ['train', '--epochs'], mentions: () => ['--epochs', 'needs a value', 'integer >= 1'] },
  'zero batch size': { argv: () => ['train', '--batch-size', '0'], mentions: () => ['--batch-size', '"0"', 'an integer >= 1'] },
  'negative batch size': { argv: () => ['train', '--batch-size', '-32'], mentions: () => ['--batch-size', '"-32"', 'an integer >= 1'] },
  'NaN learning rate': { argv: () => ['train', '--lr', 'NaN'], mentions: () => ['--lr', '"NaN"', 'a finite number > 0'] },
  'infinite learning rate': { argv: () => ['train', '--lr', 'Infinity'], mentions: () => ['--lr', '"Infinity"', 'a finite number > 0'] },
  'zero learning rate': { argv: () => ['train', '--lr', '0'], mentions: () => ['--lr', '"0"', 'a finite number > 0'] },
  'hex learning rate': { argv: () => ['train', '--lr', '0x10'], mentions: () => ['--lr', '"0x10"', 'a finite number > 0'] },
  'unknown model': { argv: () => ['train', '--model', 'vgg99'], mentions: () => ['--model', '"vgg99"', 'keras-cifar10-deep'] },
  'missing model file': { argv: () => ['train', '--model', './nope.json'], mentions: () => ['--model', '"./nope.json"', 'does not exist', 'allowed:'] },
  'model file not JSON': { argv: (fx) => ['train', '--model', fx.notJson], mentions: (fx) => ['--model', fx.notJson, 'JSON'] },
  'unknown backend': { argv: () => ['train', '--backend', 'tpu'], mentions: () => ['--backend', '"tpu"', 'cpu', 'webgpu', 'auto'] },
  'unknown backend from env': {
    argv: () => ['train'],
    env: { TFBRICKS_BACKEND: 'metal' },
    mentions: () => ['TFBRICKS_BACKEND', '"metal"', 'cpu', 'auto'],
  },
  'unknown dataset': { argv: () => ['train', '--dataset', 'mnist'], mentions: () => ['--dataset', '"mnist"', 'cifar10, cifar100'] },
  'label mode without cifar100': { argv: () => ['train', '--label-mode', 'coarse'], mentions: () => ['--label-mode', '"coarse"', 'cifar100'] },
  'missing data dir': { argv: () => ['train', '--data-dir', '/nonexistent/cifar'], mentions: () => ['--data-dir', '"/nonexistent/cifar"', 'existing readable directory'] },
  'data dir is a file': { argv: (fx) => ['train', '--data-dir', fx.aFile], mentions: (fx) => ['--data-dir', fx.aFile, 'not a directory'] },
  'data dir without the dataset files': {
    argv: (fx) => ['train', '--data-dir', fx.emptyDir],
    mentions: (fx) => ['--data-dir', fx.emptyDir, 'data_batch_1.bin', 'cifar-10-batches-bin'],
  },
  'data dir of another dataset': {
    argv: (fx) => ['train', '--dataset', 'cifar100', '--data-dir', fx.emptyDir],
    mentions: (fx) => ['--data-dir', fx.emptyDir, 'cifar-100-binary'],
  },
  'missing resume dir': { argv: () => ['train', '--resume', 'runs/gone'], mentions: () => ['--resume', '"runs/gone"', 'existing run directory'] },
  'resume dir without a run': { argv: (fx) => ['train', '--resume', fx.emptyDir], mentions: (fx) => ['--resume', fx.emptyDir, 'config.json'] },
  'resume with a changed flag': {
    argv: (fx) => ['train', '--resume', fx.otherRun, '--lr', '0.1'],
    mentions: () => ['--lr', '--resume', 'allowed with --resume'],
  },
  'run dir holds a different run': {
    argv: (fx) => ['train', '--run-dir', fx.otherRun, '--model', 'tiny'],
    mentions: (fx) => ['--run-dir', fx.otherRun, 'a different run', '--overwrite'],
  },
  'run dir inside a file': {
    argv: (fx) => ['train', '--run-dir', `${fx.aFile}/run`],
    mentions: (fx) => ['--run-dir', `${fx.aFile}/run`, 'is a file'],
  },
  'run dir holds other files': {
    argv: (fx) => ['train', '--run-dir', fx.strangerDir, '--overwrite'],
    mentions: (fx) => ['--run-dir', fx.strangerDir, 'not a tfbricks run'],
  },
  'unknown optimizer': { argv: () => ['train', '--optimizer', 'adamw'], mentions: () => ['--optimizer', '"adamw"', 'adam, sgd'] },
  'negative seed': { argv: () => ['train', '--seed', '-5'], mentions: () => ['--seed', '"-5"', 'an integer from 0 to 4294967295'] },
  'validation split of 1': { argv: () => ['train', '--validation-split', '1'], mentions: () => ['--validation-split', '"1"', '< 1'] },
  'zero train limit': { argv: () => ['train', '--limit-train', '0'], mentions: () => ['--limit-train', '"0"', 'an integer >= 1'] },
  'non-numeric test limit': { argv: () => ['train', '--limit-test', 'all'], mentions: () => ['--limit-test', '"all"', 'an integer >= 1'] },
  'negative rotation': { argv: () => ['train', '--rotation-range', '-10'], mentions: () => ['--rotation-range', '"-10"', '>= 0 and <= 360'] },
  'unknown fill mode': { argv: () => ['train', '--fill-mode', 'mirror'], mentions: () => ['--fill-mode', '"mirror"', 'constant, nearest, reflect, wrap'] },
  'bad zoom range': { argv: () => ['train', '--zoom-range', 'a,b'], mentions: () => ['--zoom-range', '"a,b"', 'lo,hi'] },
  'fractional pixel shift': { argv: () => ['train', '--width-shift-range', '1.5'], mentions: () => ['--width-shift-range', '"1.5"', 'whole number of pixels'] },
  'reversed brightness range': { argv: () => ['train', '--brightness-range', '1.2,0.8'], mentions: () => ['--brightness-range', '"1.2,0.8"', 'lo <= hi'] },
  'unknown progress mode': { argv: () => ['train', '--progress', 'fancy'], mentions: () => ['--progress', '"fancy"', 'auto, bar, epoch, none'] },
  'unknown command': { argv: () => ['trian'], mentions: () => ['"trian"', 'allowed:', 'train'] },
  'no command': { argv: () => [], mentions: () => ['missing command', 'allowed:', 'train'] },
  'evaluate without dir': { argv: () => ['evaluate'], mentions: () => ['<dir>', 'allowed:'] },
  'evaluate missing dir': { argv: () => ['evaluate', 'runs/none'], mentions: () => ['"runs/none"', 'allowed:'] },
  'evaluate zero batch size': { argv: (fx) => ['evaluate', fx.otherRun, '--batch-size', '0'], mentions: () => ['--batch-size', '"0"', 'an integer >= 1'] },
  'predict without model': { argv: (fx) => ['predict', fx.image], mentions: () => ['--model', 'allowed:'] },
  'predict zero top-k': { argv: (fx) => ['predict', fx.image, '--model', fx.otherRun, '--top-k', '0'], mentions: () => ['--top-k', '"0"', 'an integer >= 1'] },
  'predict non-image file': { argv: (fx) => ['predict', fx.notJson, '--model', fx.otherRun], mentions: (fx) => [fx.notJson, 'PNG or JPEG'] },
  'backends with an argument': { argv: () => ['backends', 'cpu'], mentions: () => ['"cpu"', 'allowed:'] },
  'unknown dataset action': { argv: () => ['dataset', 'frobnicate'], mentions: () => ['"frobnicate"', 'download, verify, inspect'] },
  'studio port out of range': { argv: () => ['studio', '--port', '99999'], mentions: () => ['--port', '"99999"', 'an integer from 0 to 65535'] },
  'studio data dir missing': { argv: (fx) => ['studio', '--data-dir', join(fx.root, 'nope')], mentions: () => ['--data-dir', 'does not exist', 'an existing readable directory'] },
  'studio app dir without a build': { argv: (fx) => ['studio', '--app-dir', fx.emptyDir], mentions: (fx) => ['--app-dir', JSON.stringify(fx.emptyDir), 'holds no index.html', 'allowed:'] },
  'studio data dir is a file': { argv: (fx) => ['studio', '--data-dir', fx.aFile], mentions: () => ['--data-dir', 'is not a directory'] },
  'plot to an unknown format': { argv: () => ['plot-model', '--model', 'tiny', '--out', 'model.gif'], mentions: () => ['--out', '"model.gif"', '.svg, .png or .dot'] },
  'sweep without --sweep-dir': { argv: (fx) => ['sweep', fx.notJson], mentions: () => ['--sweep-dir', 'allowed:'] },
  'sweep file that is not JSON': { argv: (fx) => ['sweep', fx.notJson, '--sweep-dir', 'D'], mentions: (fx) => [`invalid sweep file ${fx.notJson}`, 'not valid JSON'] },
  'sweep zero parallel': { argv: (fx) => ['sweep', fx.notJson, '--sweep-dir', 'D', '--parallel', '0'], mentions: () => ['--parallel', '"0"', 'an integer from 1 to 64'] },
  'sweep detach without redis': { argv: (fx) => ['sweep', fx.notJson, '--sweep-dir', 'D', '--detach'], mentions: () => ['--detach', '--redis'] },
  'sweep redis url without scheme': { argv: (fx) => ['sweep', fx.notJson, '--sweep-dir', 'D', '--redis', '127.0.0.1:6379'], mentions: () => ['--redis', '"127.0.0.1:6379"', 'redis://host:port'] },
  'sweep status with --parallel': { argv: (fx) => ['sweep', 'status', '--sweep-dir', fx.emptyDir, '--parallel', '2'], mentions: () => ['--parallel', 'allowed: --sweep-dir, --json'] },
  'sweep status of a dir without a sweep': { argv: (fx) => ['sweep', 'status', '--sweep-dir', fx.emptyDir], mentions: (fx) => ['--sweep-dir', JSON.stringify(fx.emptyDir), 'holds no sweep'] },
  'worker without --redis': { argv: () => ['worker', '--sweep-dir', 'D'], mentions: () => ['--redis', 'redis://host:port'] },
  'worker zero stall timeout': { argv: () => ['worker', '--redis', 'redis://127.0.0.1:6379', '--sweep-dir', 'D', '--stall-timeout', '0'], mentions: () => ['--stall-timeout', '"0"', '>= 1'] },
  'summary of unknown model': { argv: () => ['summary', '--model', 'resnet1000'], mentions: () => ['--model', '"resnet1000"', 'allowed:'] },
};

describe('bad invocations exit 2 with one line and write nothing', () => {
  let fx: Fixtures;
  let fixtureTree: string[];

  beforeAll(() => {
    const root = tempDir('tfbricks-fixtures-');
    const notJson = join(root, 'not-a-spec.json');
    writeFileSync(notJson, 'this is not json');
    const aFile = join(root, 'a-file.txt');
    writeFileSync(aFile, 'x');
    const emptyDir = join(root, 'empty');
    mkdirSync(emptyDir);
    const otherRun = join(root, 'other-run');
    mkdirSync(otherRun);
    writeFileSync(
      join(otherRun, 'config.json'),
      JSON.stringify({ tfbricksRun: 1, config: { model: { kind: 'zoo', name: 'keras-cifar10-deep' }, dataset: 'cifar10', epochs: 3, seed: 1, dataDir: null, backend: null } }),
    );
    const strangerDir = join(root, 'stranger');
    mkdirSync(strangerDir);
    writeFileSync(join(strangerDir, 'notes.txt'), 'mine');
    const image = join(root, 'cat.png');
    writeFileSync(image, Buffer.from('89504e470d0a1a0a', 'hex'));
    fx = { root, notJson, aFile, emptyDir, otherRun, strangerDir, image };
    fixtureTree = listTree(root);
  });

  afterAll(() => {
    expect(listTree(fx.root)).toEqual(fixtureTree);
  });

  it('has at least 30 cases', () => {
    expect(Object.keys(cases).length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const cwd = tempDir();
      const result = await runCli(c.argv(fx), { cwd, env: c.env ?? {} });
      expect(result.code, result.stderr).toBe(2);
      const lines = result.stderr.split('\n');
      expect(lines.at(-1)).toBe('');
      expect(lines.length, result.stderr).toBe(2);
      expect(lines[0]).toMatch(/^tfbricks: error: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      for (const m of c.mentions(fx)) expect(lines[0]).toContain(m);
      expect(result.stdout).toBe('');
      expect(listTree(cwd)).toEqual([]);
      expect(listTree(fx.root)).toEqual(fixtureTree);
    });
  }
});
