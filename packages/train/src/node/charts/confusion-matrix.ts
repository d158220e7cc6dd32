import { usageError } from '@tfbricks/core';
import { FONT, esc, svgToPng } from './svg';

export interface ConfusionOptions {
  title?: string;
  /** Colour by row-normalised rate instead of count (default true); cells show counts either way. */
  normalize?: boolean;
  scale?: number;
}

/** White → dark blue. */
function blue(t: number): string {
  const c = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${c(247, 8)},${c(251, 48)},${c(255, 107)})`;
}

/**
 * A confusion-matrix heatmap (rows: true class, columns: predicted class) with counts in
 * the cells and per-class accuracy on the right. SVG built as text; PNG with resvg.
 */
export async function renderConfusionMatrix(
  matrix: number[][],
  classNames: readonly string[],
  options: ConfusionOptions = {},
): Promise<{ svg: string; png: Uint8Array }> {
  const n = matrix?.length ?? 0;
  if (n === 0 || matrix.some((row) => !Array.isArray(row) || row.length !== n || row.some((v) => !Number.isFinite(v) || v < 0))) {
    throw usageError('E_CHART_INPUT', `renderConfusionMatrix: matrix must be a non-empty square array of counts >= 0, got ${n} rows`);
  }
  if (!Array.isArray(classNames) || classNames.length !== n) {
    throw usageError('E_CHART_INPUT', `renderConfusionMatrix: ${classNames?.length ?? 0} class names for a ${n}×${n} matrix`);
  }
  const normalize = options.normalize ?? true;
  const cell = Math.max(28, Math.min(56, Math.floor(560 / n)));
  const labelW = 12 + 7 * Math.max(...classNames.map((c) => c.length));
  const left = labelW + 34;
  const top = (options.title ? 64 : 40) + 7 * Math.max(...classNames.map((c) => c.length));
  const gridW = cell * n;
  const width = left + gridW + 110;
  const height = top + gridW + 40;
  const max = Math.max(1, ...matrix.flat());
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  if (options.title) out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(options.title)}</text>`);
  out.push(`<text x="${left + gridW / 2}" y="${(options.title ? 46 : 20)}" text-anchor="middle" font-size="12">Predicted class</text>`);
  out.push(`<text transform="translate(${Math.max(14, left - labelW - 8)} ${top + gridW / 2}) rotate(-90)" text-anchor="middle" font-size="12">True class</text>`);
  const fontSize = Math.max(9, Math.min(13, cell / 3.2));
  for (let t = 0; t < n; t++) {
    const rowSum = matrix[t].reduce((a, b) => a + b, 0);
    for (let p = 0; p < n; p++) {
      const v = matrix[t][p];
      const level = normalize ? (rowSum ? v / rowSum : 0) : v / max;
      const x = left + p * cell;
      const y = top + t * cell;
      out.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${blue(level)}" stroke="#fff"/>`);
      out.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + fontSize / 3}" text-anchor="middle" font-size="${fontSize}" fill="${level > 0.5 ? 'white' : '#222'}">${v}</text>`);
    }
    out.push(`<text x="${left - 6}" y="${top + t * cell + cell / 2 + 4}" text-anchor="end" font-size="12">${esc(classNames[t])}</text>`);
    const acc = rowSum ? ((matrix[t][t] / rowSum) * 100).toFixed(1) + '%' : '–';
    out.push(`<text x="${left + gridW + 8}" y="${top + t * cell + cell / 2 + 4}" font-size="11" fill="#333">${acc}</text>`);
  }
  out.push(`<text x="${left + gridW + 8}" y="${top - 8}" font-size="11" fill="#333">recall</text>`);
  for (let p = 0; p < n; p++) {
    const x = left + p * cell + cell / 2 + 4;
    out.push(`<text transform="translate(${x} ${top - 6}) rotate(-60)" font-size="12">${esc(classNames[p])}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${gridW}" height="${gridW}" fill="none" stroke="#444"/>`);
  out.push('</svg>');
  const svg = out.join('\n');
  return { svg, png: await svgToPng(svg, options.scale ?? 1) };
}
