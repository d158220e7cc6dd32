/** |actual − expected| ≤ atol + rtol·|expected|; the names label the two sides in the worst miss. */
export interface Tolerance {
  atol: number;
  rtol: number;
  actualName: string;
  expectedName: string;
}

/** Element by element: how many elements are out of tolerance (NaN counts), and the worst miss. */
export function worstMiss(actual: number[], expected: number[], tolerance: Tolerance): { bad: number; worst: string } {
  let bad = 0;
  let worst = '';
  let worstExcess = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const excess = Math.abs(a - e) - (tolerance.atol + tolerance.rtol * Math.abs(e));
    if (!(excess <= 0)) bad++;
    if (excess > worstExcess || Number.isNaN(excess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = `[${i}] ${tolerance.actualName} ${a} vs ${tolerance.expectedName} ${e}`;
    }
  }
  return { bad, worst };
}
