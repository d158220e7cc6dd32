export { CHROMIUM_ARGS, WEBGPU_ARG, chromiumRequiredSuite, findChromium, launchChromium, type ChromiumSetup } from './chromium';
export { bundleForBrowser, packagesDir, workspaceSources } from './bundle';
export { ISOLATION_HEADERS, harnessFiles, pageHtml, serveFiles, type ServedFile, type StaticServer } from './serve';
export { evaluateBrowserTest, loadBrowserTest, openBrowserTest, recordPageLog } from './run-page';
