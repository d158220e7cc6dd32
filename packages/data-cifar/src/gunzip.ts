import { TfbricksError, errorMessage } from '@tfbricks/core';

/** Bytes of a source: whole, as a Blob (a browser File), or as a stream. */
export type ByteSource = Uint8Array | Blob | ReadableStream<Uint8Array>;

function sourceStream(source: ByteSource): ReadableStream<Uint8Array> {
  if (source instanceof Uint8Array) {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(source);
        controller.close();
      },
    });
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source.stream() as ReadableStream<Uint8Array>;
  return source as ReadableStream<Uint8Array>;
}

/**
 * Gunzip `source` with the platform's `DecompressionStream` (browsers, Node >= 18), refusing
 * to produce more than `maxBytes` (a hostile archive cannot make it allocate more).
 * `onBytes` gets the compressed bytes read so far.
 */
export async function gunzipBounded(
  source: ByteSource,
  name: string,
  maxBytes: number,
  options: { signal?: AbortSignal; onBytes?: (read: number) => void } = {},
): Promise<Uint8Array> {
  let read = 0;
  const counted = sourceStream(source).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        options.onBytes?.(read);
        controller.enqueue(chunk);
      },
    }),
  );
  const reader = counted.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new TfbricksError('E_ABORTED', `reading ${name} was aborted`, { cause: options.signal.reason });
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        throw new TfbricksError('E_DATASET_ARCHIVE', `${name} decompresses to more than ${maxBytes} bytes, more than this dataset can hold`, {
          hint: 'this is not an official archive of this dataset; nothing from it was used',
          details: { archive: name, maxBytes },
        });
      }
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof TfbricksError) throw error;
    throw new TfbricksError('E_DATASET_ARCHIVE', `${name} is not a complete .tar.gz: ${errorMessage(error)}`, {
      hint: 'the file is damaged, truncated or not gzip-compressed; download it again',
      cause: error,
      details: { archive: name },
    });
  }
  if (total === 0) {
    throw new TfbricksError('E_DATASET_ARCHIVE', `${name} is empty after decompression`, { hint: 'the file is damaged; download it again', details: { archive: name } });
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
