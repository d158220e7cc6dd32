// The page side of a browser test (browser-safe): the page hands its test function to the Node
// side as `globalThis.tfbricksBrowserTest`, which loadBrowserTest() waits for and
// evaluateBrowserTest() calls; the stage a long page is in goes to `globalThis.tfbricksBrowserStage`
// so that a stalled run says where it stopped.

interface BrowserTestGlobals {
  tfbricksBrowserTest?: () => Promise<unknown>;
  tfbricksBrowserStage?: string;
}

/** Publishes the page's test function for the Node side (`page.evaluate`). */
export function exposeBrowserTest<R>(run: () => Promise<R>): void {
  (globalThis as BrowserTestGlobals).tfbricksBrowserTest = run;
}

/** Records what the page is doing now: reported if the run stalls or fails. */
export function setBrowserStage(stage: string): void {
  (globalThis as BrowserTestGlobals).tfbricksBrowserStage = stage;
}
