// Gradient kernels on channel counts that are not multiples of 4 (tiled GEMM / vec4-over-Cout
// / stock paths), stock vs ours alternating, best of 2 rounds of 3 calls; after `pnpm build`:
//   node bench/odd-channels.mjs
const tf = await import('@tensorflow/tfjs-core');
const wg = await import('../dist/index.js');
await wg.webgpuBackend().init(); await tf.setBackend('webgpu');
async function time(fn, n = 3) { let r = fn(); await r.data(); r.dispose(); let best = Infinity;
  for (let i = 0; i < n; i++) { const t0 = performance.now(); r = fn(); await tf.slice(tf.reshape(r, [-1]), 0, 1).data(); best = Math.min(best, performance.now() - t0); r.dispose(); } return best; }
for (const [h, cin, cout] of [[16, 13, 37], [32, 3, 32], [16, 30, 50]]) {
  const x = tf.randomUniform([32, h, h, cin]); const w = tf.randomUniform([3, 3, cin, cout]); const dy = tf.randomUniform([32, h, h, cout]);
  const fg = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, cin, cout] });
  const ig = () => tf.conv2dTranspose(dy, w, [32, h, h, cin], 1, 'same');
  const res = {};
  for (const mode of ['stock', 'ours', 'stock', 'ours']) { mode === 'ours' ? wg.registerTrainingKernels() : wg.useStockKernels();
    res[mode + 'F'] = Math.min(res[mode + 'F'] ?? Infinity, await time(fg)); res[mode + 'I'] = Math.min(res[mode + 'I'] ?? Infinity, await time(ig)); }
  console.log(`32x${h}x${h}x${cin}->${cout}: dW stock ${res.stockF.toFixed(0)} ours ${res.oursF.toFixed(0)} (${(res.stockF/res.oursF).toFixed(2)}x)  dX stock ${res.stockI.toFixed(0)} ours ${res.oursI.toFixed(0)} (${(res.stockI/res.oursI).toFixed(2)}x)`);
  tf.dispose([x, w, dy]);
}
process.exit(0);
