// Loaded into the studio worker by worker-probe.ts (plain JS, evaluated as a string): wraps WebGPU calls to count and time them.
(() => {
  const g = globalThis;
  const st = (g.__probe = { map: 0, mapMs: 0, submit: 0, submitMs: 0, pipe: 0, pipeMs: 0, shader: 0, timeouts: 0, timeoutMs: 0, writeBuf: 0, createBuf: 0, events: [] });
  const wrapAsync = (proto, name, key) => { const orig = proto[name]; proto[name] = function (...a) { const t = performance.now(); st[key]++; return orig.apply(this, a).then((r) => { st[key + 'Ms'] += performance.now() - t; return r; }); }; };
  const wrapSync = (proto, name, key) => { const orig = proto[name]; proto[name] = function (...a) { const t = performance.now(); st[key]++; const r = orig.apply(this, a); if (st[key + 'Ms'] !== undefined) st[key + 'Ms'] += performance.now() - t; return r; }; };
  wrapAsync(g.GPUBuffer.prototype, 'mapAsync', 'map');
  wrapSync(g.GPUQueue.prototype, 'submit', 'submit');
  wrapSync(g.GPUQueue.prototype, 'writeBuffer', 'writeBuf');
  wrapSync(g.GPUDevice.prototype, 'createComputePipeline', 'pipe');
  wrapSync(g.GPUDevice.prototype, 'createShaderModule', 'shader');
  wrapSync(g.GPUDevice.prototype, 'createBuffer', 'createBuf');
  const ost = g.setTimeout; g.setTimeout = (f, ms, ...a) => { const t = performance.now(); st.timeouts++; return ost(() => { st.timeoutMs += performance.now() - t; f(...a); }, ms); };
  const opm = g.postMessage.bind(g);
  g.postMessage = (m, tr) => { if (m && (m.type === 'progress' || m.type === 'epoch' || m.type === 'started')) st.events.push({ t: performance.now(), type: m.type, batch: m.batch, epoch: m.epoch, snap: { map: st.map, mapMs: Math.round(st.mapMs), submit: st.submit, submitMs: Math.round(st.submitMs), pipe: st.pipe, shader: st.shader, timeouts: st.timeouts, timeoutMs: Math.round(st.timeoutMs), writeBuf: st.writeBuf, createBuf: st.createBuf } }); return opm(m, tr); };
})()
