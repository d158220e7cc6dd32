import * as train from '@tfbricks/train';

type Picture = { svg: string; png: Uint8Array };
type ChartsModule = {
  renderTrainingCurves?: (history: { epoch: number[]; history: Record<string, number[]> }) => Picture | Promise<Picture>;
  renderConfusionMatrix?: (matrix: number[][], classNames: readonly string[]) => Picture | Promise<Picture>;
};

const charts = train as unknown as ChartsModule;

/** Training curves (loss and accuracy per epoch) from @tfbricks/train, or undefined when that version has none. */
export async function trainingCurves(history: { epoch: number[]; history: Record<string, number[]> }): Promise<Picture | undefined> {
  return charts.renderTrainingCurves ? await charts.renderTrainingCurves(history) : undefined;
}

/** The confusion-matrix picture from @tfbricks/train, or undefined when that version has none. */
export async function confusionMatrixPicture(matrix: number[][], classNames: readonly string[]): Promise<Picture | undefined> {
  return charts.renderConfusionMatrix ? await charts.renderConfusionMatrix(matrix, classNames) : undefined;
}
