import { usageError } from '@tfbricks/core';
import type { History } from '../../types';
import { FONT, esc, formatTick, niceTicks, svgToPng } from './svg';

export interface CurvesOptions {
  /** Overall title (default none). */
  title?: string;
  /** PNG scale factor (default 1 = 1000×420 px). */
  scale?: number;
}

interface Series {
  label: string;
  values: number[];
  color: string;
  dash?: string;
}

const TRAIN = '#1f77b4';
const VAL = '#ff7f0e';

function panel(x0: number, y0: number, w: number, h: number, title: string, ylabel: string, epochs: number[], series: Series[]): string {
  const m = { left: 62, right: 16, top: 34, bottom: 46 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  const y = niceTicks(finite.length ? Math.min(...finite) : 0, finite.length ? Math.max(...finite) : 1);
  const xMin = epochs[0] ?? 1;
  const xMax = epochs[epochs.length - 1] ?? 1;
  const x = xMax > xMin ? { lo: xMin, hi: xMax } : { lo: xMin - 0.5, hi: xMin + 0.5 };
  const xStep = Math.max(1, niceTicks(xMin, Math.max(xMax, xMin + 1), 8).ticks[1] - niceTicks(xMin, Math.max(xMax, xMin + 1), 8).ticks[0]);
  const xTicks: number[] = [];
  for (let t = Math.ceil(x.lo / xStep) * xStep; t <= x.hi; t += xStep) if (Number.isInteger(t)) xTicks.push(t);
  const sx = (v: number) => x0 + m.left + ((v - x.lo) / (x.hi - x.lo)) * pw;
  const sy = (v: number) => y0 + m.top + ph - ((v - y.lo) / (y.hi - y.lo)) * ph;
  const out: string[] = [];
  out.push(`<text x="${x0 + m.left + pw / 2}" y="${y0 + 22}" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (const t of y.ticks) {
    out.push(`<line x1="${x0 + m.left}" x2="${x0 + m.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${x0 + m.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11" fill="#333">${formatTick(t, y.ticks[1] - y.ticks[0])}</text>`);
  }
  for (const t of xTicks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${y0 + m.top}" y2="${y0 + m.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${sx(t)}" y="${y0 + m.top + ph + 16}" text-anchor="middle" font-size="11" fill="#333">${t}</text>`);
  }
  out.push(`<rect x="${x0 + m.left}" y="${y0 + m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${x0 + m.left + pw / 2}" y="${y0 + h - 8}" text-anchor="middle" font-size="12">Epoch</text>`);
  out.push(`<text transform="translate(${x0 + 16} ${y0 + m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(ylabel)}</text>`);
  for (const s of series) {
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${sx(epochs[i]).toFixed(2)},${sy(v).toFixed(2)}` : null));
    const runs: string[][] = [[]];
    for (const p of pts) {
      if (p === null) runs.push([]);
      else runs[runs.length - 1].push(p);
    }
    for (const r of runs) {
      if (r.length > 1) out.push(`<polyline points="${r.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      for (const p of r) {
        const [cx, cy] = p.split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="${r.length > 40 ? 0 : 2.5}" fill="${s.color}"/>`);
      }
    }
  }
  // Legend inside the plot, in the right-hand corner (top or bottom) with fewer points under it.
  const lw = 96;
  const lh = series.length * 18 + 6;
  const lx = x0 + m.left + pw - lw - 8;
  const under = (top: number) =>
    series.reduce((n, s) => n + s.values.filter((v, i) => Number.isFinite(v) && sx(epochs[i]) >= lx - 10 && sy(v) >= top - 10 && sy(v) <= top + lh + 10).length, 0);
  const topY = y0 + m.top + 8;
  const bottomY = y0 + m.top + ph - lh - 8;
  const ly = under(bottomY) < under(topY) ? bottomY : topY;
  out.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${lh}" fill="white" fill-opacity="0.85" stroke="#bbb"/>`);
  series.forEach((s, i) => {
    const yy = ly + 14 + i * 18;
    out.push(`<line x1="${lx + 8}" x2="${lx + 30}" y1="${yy - 4}" y2="${yy - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 36}" y="${yy}" font-size="11">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

/**
 * Loss and accuracy curves (train and validation) side by side, like the plots in the
 * Keras tutorial. SVG built as text; PNG rendered with resvg.
 */
export async function renderTrainingCurves(history: History, options: CurvesOptions = {}): Promise<{ svg: string; png: Uint8Array }> {
  if (!history || !Array.isArray(history.epoch) || typeof history.history !== 'object') {
    throw usageError('E_CHART_INPUT', 'renderTrainingCurves: history must be {epoch: number[], history: {loss: number[], …}} (FitResult.history)');
  }
  const h = history.history;
  if (!h.loss || h.loss.length === 0) throw usageError('E_CHART_INPUT', `renderTrainingCurves: history has no "loss" values (keys: ${Object.keys(h).join(', ') || 'none'})`);
  for (const [k, v] of Object.entries(h)) {
    if (v.length !== history.epoch.length) {
      throw usageError('E_CHART_INPUT', `renderTrainingCurves: history.${k} has ${v.length} values for ${history.epoch.length} epochs`);
    }
  }
  const epochs = history.epoch.map((e) => e + 1);
  const width = 1000;
  const height = options.title ? 450 : 420;
  const top = options.title ? 30 : 0;
  const acc = h.acc ?? h.accuracy;
  const valAcc = h.val_acc ?? h.val_accuracy;
  const lossSeries: Series[] = [{ label: 'train', values: h.loss, color: TRAIN }];
  if (h.val_loss) lossSeries.push({ label: 'validation', values: h.val_loss, color: VAL, dash: '6 3' });
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  if (options.title) parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="17" font-weight="bold">${esc(options.title)}</text>`);
  if (acc) {
    const accSeries: Series[] = [{ label: 'train', values: acc, color: TRAIN }];
    if (valAcc) accSeries.push({ label: 'validation', values: valAcc, color: VAL, dash: '6 3' });
    parts.push(panel(0, top, width / 2, 420, 'Model accuracy', 'Accuracy', epochs, accSeries));
    parts.push(panel(width / 2, top, width / 2, 420, 'Model loss', 'Loss', epochs, lossSeries));
  } else {
    parts.push(panel(0, top, width, 420, 'Model loss', 'Loss', epochs, lossSeries));
  }
  parts.push('</svg>');
  const svg = parts.join('\n');
  return { svg, png: await svgToPng(svg, options.scale ?? 1) };
}
