// The studio page (UI thread): data, recipe and training views. All heavy work happens in
// worker.ts; this file only reacts to the user and draws what the worker reports.
import { modelZoo, optimizerNames, renderModelPlot, summary, getModelSpec } from '@tfbricks/layers';
import { AUGMENT_FIELDS, buildAugmentForm, readAugmentForm } from './augment-form';
import { drawLineChart, imageCanvas, type Series } from './charts';
import { download, metricsCsv, tarFiles } from './files';
import type { DatasetName, EpochReport, FromWorker, ImageSet, RunConfig, ToWorker } from './protocol';
import { deleteRun, getArchive, getRun, putArchive, type StoredRun } from './storage';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

interface State {
  classNames: string[];
  loaded: boolean;
  training: boolean;
  paused: boolean;
  config?: RunConfig;
  history: { epoch: number[]; history: Record<string, number[]> };
  batchLoss: [number, number][];
  batchAcc: [number, number][];
  epochs: number;
  steps: number;
  lastReport?: EpochReport;
  storedRun?: StoredRun;
  webgpu: boolean;
}

const state: State = { classNames: [], loaded: false, training: false, paused: false, history: { epoch: [], history: {} }, batchLoss: [], batchAcc: [], epochs: 0, steps: 0, webgpu: false };
/** For tests and curious users: the live state of the page. */
(globalThis as unknown as { tfbricksStudio: State }).tfbricksStudio = state;

// ---------- small helpers ----------

function show(el: HTMLElement, text: string | undefined): void {
  el.hidden = !text;
  el.textContent = text ?? '';
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '–';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

function fmtBytes(n: number): string {
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`;
}

function datasetChoice(): { dataset: DatasetName; labelMode?: 'fine' | 'coarse' } {
  const [dataset, labelMode] = $<HTMLSelectElement>('dataset').value.split(':') as [DatasetName, 'fine' | 'coarse' | undefined];
  return labelMode ? { dataset, labelMode } : { dataset };
}

function figure(images: Uint8Array, i: number, caption: string, cls = '', scale = 2): HTMLElement {
  const f = document.createElement('figure');
  const c = document.createElement('figcaption');
  c.textContent = caption;
  c.title = caption;
  if (cls) c.className = cls;
  f.append(imageCanvas(images, i, scale), c);
  return f;
}

function updateButtons(): void {
  $<HTMLButtonElement>('start').disabled = !state.loaded || state.training;
  $<HTMLButtonElement>('pause').disabled = !state.training || state.paused;
  $<HTMLButtonElement>('continue').disabled = !state.training || !state.paused;
  $<HTMLButtonElement>('stop').disabled = !state.training;
  $<HTMLButtonElement>('download-csv').disabled = state.history.epoch.length === 0;
  $<HTMLButtonElement>('download-model').disabled = state.history.epoch.length === 0 || (state.training && !state.paused);
  $<HTMLButtonElement>('resume-run').disabled = !state.loaded || state.training;
  for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#recipe-card input, #recipe-card select, #dataset')) el.disabled = state.training;
}

// ---------- data ----------

async function loadBlob(blob: Blob, name: string, fromStorage = false): Promise<void> {
  show($('data-error'), undefined);
  const { dataset, labelMode } = datasetChoice();
  $('data-status').textContent = `Reading ${name} (${fmtBytes(blob.size)})…`;
  state.loaded = false;
  updateButtons();
  send({ type: 'load', blob, name, dataset, labelMode });
  pendingArchive = fromStorage ? undefined : { name, dataset, labelMode, blob };
}
let pendingArchive: { name: string; dataset: DatasetName; labelMode?: 'fine' | 'coarse'; blob: Blob } | undefined;

async function loadUrl(url: string, label = url, name?: string): Promise<void> {
  show($('data-error'), undefined);
  $('data-status').textContent = `Downloading ${label}…`;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${label}: HTTP ${res.status} ${res.statusText}`);
    const blob = await res.blob();
    await loadBlob(blob, name ?? (decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || 'archive.tar.gz')));
  } catch (error) {
    $('data-status').textContent = 'No dataset loaded.';
    show($('data-error'), `Cannot download ${label}: ${(error as Error).message}`);
  }
}

function onLoaded(m: Extract<FromWorker, { type: 'loaded' }>): void {
  state.loaded = true;
  state.classNames = m.classNames;
  $('data-status').textContent = `${m.name}: ${m.dataset === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'}, ${m.trainCount.toLocaleString('en-US')} training and ${m.testCount.toLocaleString('en-US')} test images, ${m.classNames.length} classes${pendingArchive ? '' : ' (from browser storage)'}.`;
  const grid = $('samples');
  grid.replaceChildren(...m.samples.labels.map((l, i) => figure(m.samples.images, i, m.classNames[l])));
  if (pendingArchive) {
    putArchive(pendingArchive).catch((e) => show($('data-error'), `Loaded, but not kept in browser storage: ${(e as Error).message}`));
    pendingArchive = undefined;
  }
  updateButtons();
  refreshRecipe();
  requestPreview();
}

async function listServerFiles(): Promise<void> {
  try {
    const res = await fetch('./data/index.json', { cache: 'no-store' });
    if (!res.ok) return;
    const { files } = (await res.json()) as { files: { name: string; size: number; url: string; kind?: 'archive' | 'folder' }[] };
    if (!files.length) return;
    const box = $('server-files');
    box.hidden = false;
    box.replaceChildren(document.createTextNode('From the data folder: '));
    for (const f of files) {
      const b = document.createElement('button');
      // An extracted official folder comes as a .tar.gz the server makes: the same checks as an
      // archive; the page names it by the folder.
      const name = f.kind === 'folder' ? `${f.name.replace(/\.tar\.gz$/, '')}/` : f.name;
      b.textContent = `${name} (${f.kind === 'folder' ? 'folder, ' : ''}${fmtBytes(f.size)})`;
      b.dataset.testid = `server-file-${f.name}`;
      b.addEventListener('click', () => {
        if (/cifar-100/i.test(f.name) && datasetChoice().dataset === 'cifar10') $<HTMLSelectElement>('dataset').value = 'cifar100:fine';
        void loadUrl(f.url, name, name);
      });
      box.append(b);
    }
  } catch {
    // not served by `tfbricks studio --data-dir`: no list
  }
}

// ---------- recipe ----------

function readConfig(): RunConfig {
  const num = (id: string, what: string, min: number, integer: boolean) => {
    const el = $<HTMLInputElement>(id);
    const v = Number(el.value);
    if (el.value.trim() === '' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v)) || (id === 'lr' && v === 0)) {
      throw new Error(`${what}: "${el.value}" is not allowed; give ${integer ? 'an integer' : 'a number'} ${id === 'lr' ? '> 0' : `>= ${min}`}`);
    }
    return v;
  };
  return {
    ...datasetChoice(),
    model: $<HTMLSelectElement>('model').value,
    optimizer: $<HTMLSelectElement>('optimizer').value,
    learningRate: num('lr', 'learning rate', 0, false),
    batchSize: num('batch', 'batch size', 1, true),
    epochs: num('epochs', 'epochs', 1, true),
    seed: num('seed', 'seed', 0, true),
    limitTrain: num('limit-train', 'training images', 0, true),
    limitTest: num('limit-test', 'test images', 0, true),
    augment: $<HTMLInputElement>('augment').checked,
    augmentation: readAugmentForm(),
    backend: $<HTMLSelectElement>('backend').value as RunConfig['backend'],
  };
}

let plotToken = 0;
function refreshRecipe(): void {
  const name = $<HTMLSelectElement>('model').value;
  const numClasses = state.classNames.length || (datasetChoice().dataset === 'cifar10' ? 10 : datasetChoice().labelMode === 'coarse' ? 20 : 100);
  const spec = getModelSpec(name, { numClasses, inputShape: [32, 32, 3] });
  $('summary').textContent = summary(spec);
  const token = ++plotToken;
  if (!$<HTMLDetailsElement>('model-details').open) return;
  renderModelPlot(spec, { rankdir: 'TB' })
    .then(({ svg }) => {
      if (token === plotToken) $('plot').innerHTML = svg;
    })
    .catch((e) => ($('plot').textContent = `No diagram: ${(e as Error).message}`));
}

let previewTimer: ReturnType<typeof setTimeout> | undefined;
function requestPreview(): void {
  if (!state.loaded || state.training) return;
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => {
    try {
      send({ type: 'preview', augmentation: readAugmentForm(), seed: Number($<HTMLInputElement>('seed').value) || 0, count: 8 });
      show($('train-error'), undefined);
    } catch (e) {
      show($('train-error'), (e as Error).message);
    }
  }, 150);
}

function onPreview(m: Extract<FromWorker, { type: 'preview' }>): void {
  const box = $('preview');
  const cells: HTMLElement[] = [];
  const n = m.original.labels.length;
  for (let i = 0; i < n; i++) cells.push(figure(m.original.images, i, state.classNames[m.original.labels[i]] ?? '', '', 1.75));
  for (const row of m.augmented) for (let i = 0; i < n; i++) cells.push(figure(row, i, '', '', 1.75));
  box.replaceChildren(...cells);
}

// ---------- training ----------

function resetRunView(): void {
  state.history = { epoch: [], history: {} };
  state.batchLoss = [];
  state.batchAcc = [];
  state.lastReport = undefined;
  $('confusion').replaceChildren();
  $('predictions').replaceChildren();
  drawCharts();
  renderMetricsTable();
}

function start(resume: boolean): void {
  show($('train-error'), undefined);
  let config: RunConfig;
  try {
    config = resume && state.storedRun ? state.storedRun.config : readConfig();
  } catch (e) {
    show($('train-error'), (e as Error).message);
    return;
  }
  if (config.backend === 'webgpu' && !state.webgpu) {
    show($('train-error'), 'WebGPU is not available in this browser (see the badge at the top); choose the cpu backend.');
    return;
  }
  if (!resume) void deleteRun();
  $('resume-banner').hidden = true;
  state.config = config;
  state.training = true;
  state.paused = false;
  state.epochs = config.epochs;
  resetRunView();
  $('progress-text').textContent = resume ? 'Resuming from the last checkpoint…' : 'Starting…';
  updateButtons();
  send({ type: 'train', config, resume });
}

function drawCharts(): void {
  const h = state.history.history;
  const ep = state.history.epoch.map((e) => e + 1);
  const pts = (k: string): [number, number][] => (h[k] ?? []).map((v, i) => [ep[i], v]);
  const xMax = Math.max(state.epochs, ep.length, 1);
  drawLineChart($<HTMLCanvasElement>('loss-chart'), 'Loss', [
    { label: 'train (batches)', color: '#1c64d8', points: state.batchLoss, thin: true },
    { label: 'train', color: '#1c64d8', points: pts('loss') },
    { label: 'validation', color: '#e8590c', points: pts('val_loss'), dashed: true },
  ], { xMax });
  drawLineChart($<HTMLCanvasElement>('acc-chart'), 'Accuracy', [
    { label: 'train (batches)', color: '#1c64d8', points: state.batchAcc, thin: true },
    { label: 'train', color: '#1c64d8', points: pts('acc') },
    { label: 'validation', color: '#e8590c', points: pts('val_acc'), dashed: true },
  ], { xMax, yMin: 0, yMax: 1 });
}

function renderMetricsTable(): void {
  const t = $('metrics');
  const keys = ['loss', 'acc', 'val_loss', 'val_acc'].filter((k) => state.history.history[k]);
  if (!state.history.epoch.length) {
    t.replaceChildren();
    return;
  }
  const head = `<tr><th>epoch</th>${keys.map((k) => `<th>${k}</th>`).join('')}</tr>`;
  const rows = state.history.epoch
    .map((e, i) => `<tr data-epoch="${e}"><td>${e + 1}</td>${keys.map((k) => `<td data-key="${k}" data-value="${state.history.history[k][i]}">${state.history.history[k][i].toFixed(4)}</td>`).join('')}</tr>`)
    .join('');
  t.innerHTML = head + rows;
}

function renderConfusion(r: EpochReport): void {
  const n = r.confusion.length;
  const names = state.classNames;
  const table = document.createElement('table');
  table.className = 'confusion';
  const max = Math.max(1, ...r.confusion.flat());
  const rowsum = r.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const small = n > 20;
  const head = document.createElement('tr');
  head.append(document.createElement('th'));
  for (let c = 0; c < n; c++) {
    const th = document.createElement('th');
    th.className = 'colname';
    th.textContent = small ? String(c) : names[c];
    head.append(th);
  }
  table.append(head);
  for (let t = 0; t < n; t++) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.className = 'rowname';
    th.textContent = small ? String(t) : names[t];
    tr.append(th);
    for (let p = 0; p < n; p++) {
      const v = r.confusion[t][p];
      const td = document.createElement('td');
      const a = rowsum[t] ? v / rowsum[t] : 0;
      td.textContent = v ? String(v) : '';
      td.dataset.count = String(v);
      td.title = `true ${names[t]}, predicted ${names[p]}: ${v}`;
      td.style.background = `rgba(28, 100, 216, ${(0.08 + 0.92 * (v / max)).toFixed(3)})`;
      if (!v) td.style.background = t === p ? '#f1f3f5' : '#fafafa';
      td.style.color = v / max > 0.5 ? '#fff' : '#212529';
      if (a > 0 && t === p) td.style.fontWeight = '600';
      tr.append(td);
    }
    table.append(tr);
  }
  $('confusion').replaceChildren(table);
  $('confusion-caption').textContent = `after epoch ${r.epoch + 1}: ${(r.testAccuracy * 100).toFixed(1)}% of ${r.testCount} test images (rows: true, columns: predicted)`;
  $('confusion').dataset.accuracy = String(r.testAccuracy);
  $('confusion').dataset.epoch = String(r.epoch);
}

function renderPredictions(p: ImageSet): void {
  $('predictions').replaceChildren(
    ...p.labels.map((l, i) => {
      const ok = p.predicted![i] === l;
      return figure(p.images, i, ok ? state.classNames[l] : `${state.classNames[p.predicted![i]]} (${state.classNames[l]})`, ok ? 'right' : 'wrong');
    }),
  );
}

// Progress arrives many times a second; the page redraws at most four times a second, in
// one small task, so the UI thread stays free for the user.
let latestProgress: Extract<FromWorker, { type: 'progress' }> | undefined;
let progressTimer: ReturnType<typeof setTimeout> | undefined;
let chartsDirty = false;
function scheduleProgress(charts: boolean): void {
  chartsDirty ||= charts;
  if (progressTimer !== undefined) return;
  progressTimer = setTimeout(() => {
    progressTimer = undefined;
    const m = latestProgress;
    if (!m || !state.training) return;
    const done = m.epoch * m.steps + m.batch;
    const total = state.epochs * m.steps;
    $('bar').style.width = `${((100 * done) / total).toFixed(1)}%`;
    $('progress-text').textContent = `Epoch ${m.epoch + 1} of ${state.epochs} · batch ${m.batch} of ${m.steps} · ${m.imagesPerSecond.toFixed(1)} images/s · ETA ${fmtTime(m.etaSeconds)}${state.paused ? ' · paused' : ''}`;
    if (chartsDirty) drawCharts();
    chartsDirty = false;
  }, 250);
}

function onMessage(m: FromWorker): void {
  switch (m.type) {
    case 'loaded':
      onLoaded(m);
      break;
    case 'preview':
      onPreview(m);
      break;
    case 'backend':
      $('backend-status').textContent = `training on ${m.name}: ${m.description}`;
      break;
    case 'started':
      state.steps = m.steps;
      state.epochs = m.epochs;
      state.history = structuredClone(m.history);
      drawCharts();
      renderMetricsTable();
      $('progress-text').textContent = m.initialEpoch > 0 ? `Resumed at epoch ${m.initialEpoch + 1} of ${m.epochs}.` : `Epoch 1 of ${m.epochs}…`;
      break;
    case 'progress': {
      const x = m.epoch + m.batch / m.steps;
      if (m.loss !== undefined) state.batchLoss.push([x, m.loss]);
      if (m.acc !== undefined) state.batchAcc.push([x, m.acc]);
      latestProgress = m;
      scheduleProgress(m.loss !== undefined);
      break;
    }
    case 'epoch': {
      const r = m.report;
      state.lastReport = r;
      state.history.epoch.push(r.epoch);
      for (const [k, v] of Object.entries(r.logs)) (state.history.history[k] ??= []).push(v);
      drawCharts();
      renderMetricsTable();
      renderConfusion(r);
      renderPredictions(r.predictions);
      updateButtons();
      break;
    }
    case 'checkpoint':
      $('progress-text').dataset.checkpoint = String(m.epochsDone);
      break;
    case 'paused':
      state.paused = true;
      $('progress-text').textContent += ' · paused';
      updateButtons();
      break;
    case 'resumed':
      state.paused = false;
      updateButtons();
      break;
    case 'done':
      state.training = false;
      state.paused = false;
      state.history = structuredClone(m.history);
      drawCharts();
      renderMetricsTable();
      $('progress-text').textContent =
        m.stopReason === 'signal'
          ? `Stopped after ${m.epochsCompleted} epoch(s); the last checkpoint is kept in browser storage.`
          : `Done: ${m.epochsCompleted} epochs${state.lastReport ? `, test accuracy ${(state.lastReport.testAccuracy * 100).toFixed(2)}%` : ''}.`;
      $('progress-text').dataset.done = m.stopReason;
      updateButtons();
      break;
    case 'model':
      download(`${m.name}.tar`, tarFiles(m.name, m.files), 'application/x-tar');
      $('evaluate-hint').textContent = `tar -xf ${m.name}.tar && tfbricks evaluate ${m.name}`;
      break;
    case 'error': {
      const text = `${m.message}${m.hint ? `\n${m.hint[0]!.toUpperCase()}${m.hint.slice(1)}` : ''}`;
      if (m.phase === 'load') {
        state.loaded = false;
        $('data-status').textContent = 'No dataset loaded: the file was refused and nothing was trained.';
        $('samples').replaceChildren();
        show($('data-error'), text);
        pendingArchive = undefined;
      } else {
        if (m.phase === 'train') {
          state.training = false;
          state.paused = false;
        }
        show($('train-error'), text);
      }
      updateButtons();
      break;
    }
  }
}

// ---------- wiring ----------

async function checkWebGpu(): Promise<void> {
  const badge = $('backend-status');
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  let reason = '';
  if (!gpu) reason = window.isSecureContext ? 'this browser has no navigator.gpu (WebGPU is off or unsupported)' : 'the page is not a secure context (use https or localhost)';
  else {
    try {
      if (!(await gpu.requestAdapter())) reason = 'requestAdapter() found no GPU adapter';
    } catch (e) {
      reason = `requestAdapter() failed: ${(e as Error).message}`;
    }
  }
  state.webgpu = reason === '';
  if (state.webgpu) {
    badge.textContent = 'WebGPU available';
    badge.className = 'badge ok';
  } else {
    badge.textContent = `No WebGPU: ${reason}. Training runs on the cpu backend (slow).`;
    badge.className = 'badge warn';
    $<HTMLSelectElement>('backend').value = 'cpu';
  }
}

/** Show a stored run's recipe in the form (what a resume will use). */
function applyConfig(c: RunConfig): void {
  $<HTMLSelectElement>('dataset').value = c.dataset === 'cifar10' ? 'cifar10' : `cifar100:${c.labelMode ?? 'fine'}`;
  $<HTMLSelectElement>('model').value = c.model;
  $<HTMLSelectElement>('optimizer').value = c.optimizer;
  const values: Record<string, number> = { lr: c.learningRate, batch: c.batchSize, epochs: c.epochs, seed: c.seed, 'limit-train': c.limitTrain, 'limit-test': c.limitTest };
  for (const [id, v] of Object.entries(values)) $<HTMLInputElement>(id).value = String(v);
  $<HTMLSelectElement>('backend').value = c.backend;
  $<HTMLInputElement>('augment').checked = c.augment;
  for (const f of AUGMENT_FIELDS) {
    const el = document.getElementById(`aug-${f.key}`) as HTMLInputElement | null;
    const v = (c.augmentation as Record<string, unknown>)[f.key];
    if (!el) continue;
    if (f.kind === 'check') el.checked = v === true;
    else if (f.kind === 'pair') el.value = Array.isArray(v) ? v.join(',') : '';
    else if (v !== undefined) el.value = String(v);
  }
  refreshRecipe();
}

async function offerResume(): Promise<void> {
  const run = await getRun().catch(() => undefined);
  if (!run || !run.checkpoint || run.epochsDone >= run.config.epochs) return;
  state.storedRun = run;
  $('resume-text').textContent = `An unfinished run is in browser storage: ${run.config.model} on ${run.config.dataset}, ${run.epochsDone} of ${run.config.epochs} epochs done (saved ${new Date(run.savedAt).toLocaleString()}).`;
  $('resume-banner').hidden = false;
  applyConfig(run.config);
  state.history = structuredClone(run.history);
  state.epochs = run.config.epochs;
  drawCharts();
  renderMetricsTable();
  updateButtons();
}

function init(): void {
  worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.onerror = (e) => show($('train-error'), `The training worker failed: ${e.message}`);
  const model = $<HTMLSelectElement>('model');
  for (const z of modelZoo) model.append(new Option(`${z.name}`, z.name, z.name === 'keras-cifar10-deep', z.name === 'keras-cifar10-deep'));
  model.title = modelZoo.find((z) => z.name === model.value)?.description ?? '';
  const opt = $<HTMLSelectElement>('optimizer');
  for (const o of optimizerNames) opt.append(new Option(o, o, o === 'adam', o === 'adam'));
  buildAugmentForm($('augment-form'), requestPreview);
  model.addEventListener('change', () => {
    model.title = modelZoo.find((z) => z.name === model.value)?.description ?? '';
    refreshRecipe();
  });
  $<HTMLDetailsElement>('model-details').addEventListener('toggle', refreshRecipe);
  $('dataset').addEventListener('change', refreshRecipe);
  $('augment').addEventListener('change', () => ($('augment-form').style.opacity = $<HTMLInputElement>('augment').checked ? '1' : '0.5'));
  $('seed').addEventListener('change', requestPreview);
  $('preview-btn').addEventListener('click', requestPreview);
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void loadBlob(f, f.name);
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void loadBlob(f, f.name);
  });
  $('load-url').addEventListener('click', () => {
    const u = $<HTMLInputElement>('url').value.trim();
    if (u) void loadUrl(u);
  });
  $('start').addEventListener('click', () => start(false));
  $('resume-run').addEventListener('click', () => start(true));
  $('discard-run').addEventListener('click', () => {
    void deleteRun();
    state.storedRun = undefined;
    $('resume-banner').hidden = true;
    resetRunView();
    updateButtons();
  });
  $('pause').addEventListener('click', () => send({ type: 'pause' }));
  $('continue').addEventListener('click', () => send({ type: 'resume' }));
  $('stop').addEventListener('click', () => send({ type: 'stop' }));
  $('download-model').addEventListener('click', () => send({ type: 'export' }));
  $('download-csv').addEventListener('click', () => download('metrics.csv', metricsCsv(state.history), 'text/csv'));
  window.addEventListener('resize', drawCharts);
  refreshRecipe();
  drawCharts();
  updateButtons();
  void checkWebGpu();
  void listServerFiles();
  void offerResume();
  getArchive()
    .then((a) => {
      if (!a) return;
      $<HTMLSelectElement>('dataset').value = a.dataset === 'cifar10' ? 'cifar10' : `cifar100:${a.labelMode ?? 'fine'}`;
      void loadBlob(a.blob, a.name, true);
    })
    .catch(() => undefined);
}

init();
