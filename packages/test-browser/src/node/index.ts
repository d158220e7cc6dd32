export { CHROMIUM_ARGS, WEBGPU_ARG, chromiumRequiredSuite, findChromium, launchChromium, type ChromiumSetup } from './chromium';
export { bundleForBrowser, packagesDir, workspaceSources } from './bundle';
export { ISOLATION_HEADERS, closeServer, harnessFiles, pageHtml, serveFiles, serverUrl, type ServedFile } from './serve';
export { evaluateBrowserTest, loadBrowserTest, recordPageLog } from './run-page';
