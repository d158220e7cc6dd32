// What the page downloads: the saved model as a .tar (a folder `tfbricks evaluate` reads once
// extracted) and the metrics as CSV in Keras' CSVLogger layout.

const BLOCK = 512;

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > length) throw new Error(`tar: '${text}' does not fit in ${length} bytes`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, value.toString(8).padStart(length - 1, '0'));
}

/** A ustar archive of regular files under `folder/` (plus the folder itself). */
export function tarFiles(folder: string, files: Record<string, Uint8Array | string>): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = (path: string, size: number, type: '0' | '5') => {
    const h = new Uint8Array(BLOCK);
    writeString(h, 0, 100, path);
    writeOctal(h, 100, 8, type === '5' ? 0o755 : 0o644);
    writeOctal(h, 108, 8, 0);
    writeOctal(h, 116, 8, 0);
    writeOctal(h, 124, 12, size);
    writeOctal(h, 136, 12, Math.floor(Date.now() / 1000));
    h.fill(32, 148, 156);
    h[156] = type.charCodeAt(0);
    writeString(h, 257, 6, 'ustar');
    writeString(h, 263, 2, '00');
    let sum = 0;
    for (const b of h) sum += b;
    writeString(h, 148, 7, sum.toString(8).padStart(6, '0') + '\0');
    return h;
  };
  parts.push(header(`${folder}/`, 0, '5'));
  for (const [name, content] of Object.entries(files)) {
    const body = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    parts.push(header(`${folder}/${name}`, body.length, '0'), body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Keras' CSVLogger: `epoch` then the log keys sorted, one row per epoch. */
export function metricsCsv(history: { epoch: number[]; history: Record<string, number[]> }): string {
  const keys = Object.keys(history.history).sort();
  const rows = [['epoch', ...keys].join(',')];
  history.epoch.forEach((e, i) => rows.push([String(e), ...keys.map((k) => (history.history[k][i] === undefined ? '' : String(history.history[k][i])))].join(',')));
  return rows.join('\n') + '\n';
}

/** Save bytes or text as a file download. */
export function download(name: string, data: Uint8Array | string, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
