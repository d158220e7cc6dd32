// Worker-thread entry of the decode workers (see decode-workers.ts): decodes and resizes
// the files of each job it is sent and hands the records back in one transferred buffer.
import { parentPort } from 'node:worker_threads';
import { channelsOf } from '@tfbricks/core';
import { finishPixels } from '../decode-pixels';
import { BadImage, decodeFile } from './decode-file';
import type { DecodeJob, DecodeReply } from './decode-workers';

async function run(job: DecodeJob): Promise<DecodeReply> {
  const record = job.decode.size[0] * job.decode.size[1] * channelsOf(job.decode.colorMode);
  const pixels = new Uint8Array(job.paths.length * record);
  const scratch = new Uint8Array(record);
  const bad: DecodeReply['bad'] = [];
  for (let i = 0; i < job.paths.length; i++) {
    try {
      pixels.set(finishPixels(await decodeFile(job.paths[i], job.maxPixels), job.decode, scratch), i * record);
    } catch (error) {
      if (!(error instanceof BadImage)) throw error;
      bad.push({ index: i, code: error.code, reason: error.message });
    }
  }
  return { id: job.id, pixels, bad };
}

parentPort?.on('message', (job: DecodeJob) => {
  run(job).then(
    (reply) => parentPort!.postMessage(reply, [reply.pixels.buffer as ArrayBuffer]),
    (error: unknown) => parentPort!.postMessage({ id: job.id, pixels: new Uint8Array(0), bad: [], error: (error as Error)?.message ?? String(error) } satisfies DecodeReply),
  );
});
