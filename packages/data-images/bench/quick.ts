import { imageFolderReader } from '../src/node';
const conc = Number(process.argv[2] ?? 8);
const r = imageFolderReader({ cacheDir: false, concurrency: conc });
const l = await r.list('/tmp/imgbench/f', { style: 'keras3' });
const t = performance.now();
const p = await r.prepare(l.files, { size: [32, 32], colorMode: 'rgb', family: 'tf', interpolation: 'bilinear' });
console.log(conc, p.decoded, (p.decoded / ((performance.now() - t) / 1000)).toFixed(0), 'img/s');
