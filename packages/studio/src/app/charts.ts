// Small canvas drawings for the page: line charts, image grids.

export interface Series {
  label: string;
  color: string;
  /** [x, y] points; x in epochs (fractions for per-batch points). */
  points: [number, number][];
  dashed?: boolean;
  thin?: boolean;
}

function niceStep(range: number, target: number): number {
  const raw = range / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
}

function decimals(step: number): number {
  return Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
}

/** A line chart with axes, ticks, a title and a legend; the series are kept on `canvas.dataset.series`. */
export function drawLineChart(canvas: HTMLCanvasElement, title: string, series: Series[], options: { xMax: number; yMin?: number; yMax?: number }): void {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth || 480;
  const h = canvas.clientHeight || 260;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '12px system-ui, sans-serif';
  const left = 52;
  const right = 12;
  const top = 28;
  const bottom = 34;
  const all = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let lo = options.yMin ?? (all.length ? Math.min(...all) : 0);
  let hi = options.yMax ?? (all.length ? Math.max(...all) : 1);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const yStep = niceStep(hi - lo, 5);
  lo = Math.floor(lo / yStep) * yStep;
  hi = Math.ceil(hi / yStep) * yStep;
  const xMax = Math.max(1, options.xMax);
  const X = (x: number) => left + (x / xMax) * (w - left - right);
  const Y = (y: number) => top + (1 - (y - lo) / (hi - lo)) * (h - top - bottom);
  g.fillStyle = '#212529';
  g.font = '600 13px system-ui, sans-serif';
  g.fillText(title, left, 17);
  g.font = '11px system-ui, sans-serif';
  g.strokeStyle = '#e9ecef';
  g.fillStyle = '#495057';
  g.textAlign = 'right';
  for (let v = lo; v <= hi + yStep / 2; v += yStep) {
    g.beginPath();
    g.moveTo(left, Y(v));
    g.lineTo(w - right, Y(v));
    g.stroke();
    g.fillText(v.toFixed(decimals(yStep)), left - 6, Y(v) + 4);
  }
  g.textAlign = 'center';
  const xStep = Math.max(1, Math.ceil(xMax / 10));
  for (let x = 0; x <= xMax; x += xStep) g.fillText(String(x), X(x), h - bottom + 16);
  g.fillText('epoch', (left + w - right) / 2, h - 4);
  g.strokeStyle = '#adb5bd';
  g.beginPath();
  g.moveTo(left, top);
  g.lineTo(left, h - bottom);
  g.lineTo(w - right, h - bottom);
  g.stroke();
  for (const s of series) {
    g.strokeStyle = s.color;
    g.fillStyle = s.color;
    g.lineWidth = s.thin ? 1 : 2;
    g.setLineDash(s.dashed ? [6, 4] : []);
    g.globalAlpha = s.thin ? 0.45 : 1;
    g.beginPath();
    s.points.forEach(([x, y], i) => (i === 0 ? g.moveTo(X(x), Y(y)) : g.lineTo(X(x), Y(y))));
    g.stroke();
    if (!s.thin) for (const [x, y] of s.points) g.fillRect(X(x) - 2.5, Y(y) - 2.5, 5, 5);
    g.globalAlpha = 1;
  }
  g.setLineDash([]);
  g.lineWidth = 1;
  // Legend, top right.
  g.textAlign = 'left';
  let lx = w - right - 8;
  for (const s of [...series].reverse()) {
    const tw = g.measureText(s.label).width;
    lx -= tw + 30;
    g.strokeStyle = s.color;
    g.lineWidth = s.thin ? 1 : 2;
    g.globalAlpha = s.thin ? 0.45 : 1;
    g.setLineDash(s.dashed ? [6, 4] : []);
    g.beginPath();
    g.moveTo(lx, 13);
    g.lineTo(lx + 20, 13);
    g.stroke();
    g.setLineDash([]);
    g.globalAlpha = 1;
    g.fillStyle = '#343a40';
    g.fillText(s.label, lx + 24, 17);
  }
  g.lineWidth = 1;
  canvas.dataset.series = JSON.stringify(series.filter((s) => !s.thin).map((s) => ({ label: s.label, points: s.points })));
}

/** One 32×32 NHWC uint8 image onto a canvas of `scale`× size. */
export function imageCanvas(images: Uint8Array, index: number, scale = 2): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = 32;
  c.height = 32;
  c.style.width = `${32 * scale}px`;
  c.style.height = `${32 * scale}px`;
  c.style.imageRendering = 'pixelated';
  const g = c.getContext('2d')!;
  const img = g.createImageData(32, 32);
  const base = index * 3072;
  for (let p = 0; p < 1024; p++) {
    img.data[4 * p] = images[base + 3 * p];
    img.data[4 * p + 1] = images[base + 3 * p + 1];
    img.data[4 * p + 2] = images[base + 3 * p + 2];
    img.data[4 * p + 3] = 255;
  }
  g.putImageData(img, 0, 0);
  return c;
}
