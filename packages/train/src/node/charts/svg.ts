import { usageError } from '@tfbricks/core';

export const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" axis ticks (1, 2, 5 × 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, target = 5): { lo: number; hi: number; ticks: number[] } {
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const lo = Number((Math.floor(min / step) * step).toPrecision(12));
  const hi = Number((Math.ceil(max / step) * step).toPrecision(12));
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo, hi, ticks };
}

/**
 * Label for an axis tick. With `step` (the distance between ticks) it uses as many decimals
 * as the step needs, so neighbouring ticks never print the same text (2.3026, 2.3028, …).
 */
export function formatTick(v: number, step?: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (step !== undefined && step > 0 && a < 1e4 && step >= 1e-9) {
    let decimals = 0;
    while (decimals < 12 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6) decimals++;
    return v.toFixed(decimals);
  }
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** Render SVG text to PNG with resvg (system fonts, white background). */
export async function svgToPng(svg: string, scale = 1): Promise<Uint8Array> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (error) {
    throw usageError('E_CHART_PNG', `cannot load @resvg/resvg-js to render PNG: ${(error as Error).message}`, 'install @resvg/resvg-js for your platform, or use the SVG output');
  }
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return new Uint8Array(resvg.render().asPng());
}
