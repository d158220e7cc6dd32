// A static server on 127.0.0.1 (a secure context, as WebGPU requires) for a browser test's page.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  type: string;
  body: string | Uint8Array;
}

/** COOP + COEP: the page is cross-origin isolated (SharedArrayBuffer, threaded WebAssembly). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** The page every harness serves at `/`: it loads `/bundle.js` as a module. */
export function pageHtml(title: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <script type="module" src="/bundle.js"></script>
  </head>
  <body></body>
</html>
`;
}

/** `/` (pageHtml) and `/bundle.js` (the bundled page). */
export function harnessFiles(title: string, bundle: string): Record<string, ServedFile> {
  return {
    '/': { type: 'text/html; charset=utf-8', body: pageHtml(title) },
    '/bundle.js': { type: 'text/javascript; charset=utf-8', body: bundle },
  };
}

/** A listening server: its `http://127.0.0.1:<port>/` and how to stop it. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `files` by path (404 otherwise, never cached), with `headers` on every answer, on a free port. */
export function serveFiles(files: Record<string, ServedFile>, headers: Readonly<Record<string, string>> = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store', ...headers }).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}
