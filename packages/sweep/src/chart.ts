import type { FlagValue } from './spec';
import type { Leaderboard } from './leaderboard';

const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';
const PANEL_W = 320;
const PANEL_H = 240;
const PAD = { left: 58, right: 16, top: 34, bottom: 46 };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function label(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

interface Axis {
  /** Position in [0, 1] of a value. */
  at(v: FlagValue): number;
  ticks: { pos: number; text: string }[];
  log: boolean;
}

function numericAxis(values: number[]): Axis {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const log = lo > 0 && hi / lo >= 10;
  const f = (v: number) => (log ? Math.log10(v) : v);
  const span = f(hi) - f(lo) || 1;
  const at = (v: FlagValue) => (hi === lo ? 0.5 : 0.05 + 0.9 * ((f(Number(v)) - f(lo)) / span));
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const tickValues = distinct.length <= 6 ? distinct : [lo, log ? 10 ** ((f(lo) + f(hi)) / 2) : (lo + hi) / 2, hi];
  return { at, log, ticks: tickValues.map((v) => ({ pos: at(v), text: label(v) })) };
}

function categoryAxis(values: FlagValue[]): Axis {
  const cats = [...new Set(values.map(String))];
  const at = (v: FlagValue) => (cats.indexOf(String(v)) + 0.5) / cats.length;
  return { at, log: false, ticks: cats.map((c) => ({ pos: at(c), text: c })) };
}

function panel(board: Leaderboard, key: string, x0: number, y0: number): string {
  const rows = board.rows.filter((r) => r.value !== null && key in r.params);
  const xs = rows.map((r) => r.params[key]);
  const xAxis = xs.every((v) => typeof v === 'number') ? numericAxis(xs as number[]) : categoryAxis(xs);
  const ys = rows.map((r) => r.value!);
  const yLo = Math.min(...ys);
  const yHi = Math.max(...ys);
  const ySpan = yHi - yLo || Math.abs(yHi) * 0.1 || 1;
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const px = (v: FlagValue) => x0 + PAD.left + xAxis.at(v) * w;
  const py = (v: number) => y0 + PAD.top + h - (0.08 + 0.84 * ((v - (yHi === yLo ? yLo - ySpan / 2 : yLo)) / ySpan)) * h;
  const out: string[] = [];
  out.push(`<rect x="${x0 + PAD.left}" y="${y0 + PAD.top}" width="${w}" height="${h}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${x0 + PAD.left + w / 2}" y="${y0 + 20}" text-anchor="middle" font-size="13" font-weight="bold">${esc(board.objective)} vs ${esc(key)}${xAxis.log ? ' (log)' : ''}</text>`);
  for (const t of xAxis.ticks) {
    const x = x0 + PAD.left + t.pos * w;
    out.push(`<line x1="${x}" y1="${y0 + PAD.top + h}" x2="${x}" y2="${y0 + PAD.top + h + 4}" stroke="#444"/>`);
    out.push(`<text x="${x}" y="${y0 + PAD.top + h + 17}" text-anchor="middle" font-size="11">${esc(t.text)}</text>`);
  }
  out.push(`<text x="${x0 + PAD.left + w / 2}" y="${y0 + PANEL_H - 8}" text-anchor="middle" font-size="12">${esc(key)}</text>`);
  const yTicks = yHi === yLo ? [yLo] : [yLo, (yLo + yHi) / 2, yHi];
  for (const v of yTicks) {
    out.push(`<text x="${x0 + PAD.left - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${esc(label(v))}</text>`);
    out.push(`<line x1="${x0 + PAD.left}" y1="${py(v)}" x2="${x0 + PAD.left + w}" y2="${py(v)}" stroke="#ddd"/>`);
  }
  for (const r of rows) {
    const isBest = r.id === board.best;
    const fill = r.status === 'pruned' ? '#bbb' : isBest ? '#d62728' : '#1f77b4';
    out.push(`<circle cx="${px(r.params[key])}" cy="${py(r.value!)}" r="${isBest ? 6 : 4.5}" fill="${fill}" fill-opacity="0.85" stroke="#222" stroke-width="0.6"><title>${esc(`${r.id}: ${label(r.value!)}`)}</title></circle>`);
  }
  return out.join('\n');
}

/**
 * The objective against each swept parameter, one scatter panel per parameter (the best trial
 * red, pruned trials grey), as SVG text.
 */
export function objectiveChart(board: Leaderboard): string {
  const keys = [...new Set(board.rows.flatMap((r) => Object.keys(r.params)))];
  const cols = Math.min(3, Math.max(1, keys.length));
  const rowsN = Math.max(1, Math.ceil(keys.length / cols));
  const width = cols * PANEL_W;
  const height = rowsN * PANEL_H + 30;
  const body = keys.map((k, i) => panel(board, k, (i % cols) * PANEL_W, 30 + Math.floor(i / cols) * PANEL_H));
  const title = `sweep: ${board.objective} (${board.mode}) of ${board.rows.filter((r) => r.value !== null).length} trial(s)${board.best ? `, best ${board.best}` : ''}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
