export { exposeBrowserTest, setBrowserStage } from './page-hook';
export { lcgValues } from './values';
export { worstMiss, type Tolerance } from './tolerance';
export type { Computed, NamedOutput } from './outputs';
