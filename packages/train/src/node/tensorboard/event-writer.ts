import { encodeEvent, type EventData, type SummaryValue } from './proto';
import { encodeRecord } from './tfrecord';

/**
 * Appends TensorBoard events to `<dir>/events.out.tfevents.<secs>.<host>` (a TFRecord
 * file whose first event is `file_version: "brain.Event:2"`). Events are buffered and
 * written by `flush()`.
 */
export class EventFileWriter {
  private pending: Buffer[] = [];
  private chain: Promise<void> = Promise.resolve();
  private constructor(readonly path: string) {}

  static async create(dir: string): Promise<EventFileWriter> {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const { join } = await import('node:path');
    await fs.mkdir(dir, { recursive: true });
    const now = Date.now() / 1000;
    const base = `events.out.tfevents.${Math.floor(now)}.${os.hostname()}`;
    let name = base;
    for (let n = 1; ; n++) {
      try {
        await fs.writeFile(join(dir, name), encodeRecord(encodeEvent({ wallTime: now, step: 0, fileVersion: 'brain.Event:2' })), { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        name = `${base}.${n}`;
      }
    }
    return new EventFileWriter(join(dir, name));
  }

  add(event: EventData): void {
    this.pending.push(encodeRecord(encodeEvent(event)));
  }

  summary(step: number, values: SummaryValue[]): void {
    if (values.length) this.add({ wallTime: Date.now() / 1000, step, summary: values });
  }

  /** Append buffered events to the file (in order, even when called concurrently). */
  flush(): Promise<void> {
    const data = this.pending;
    this.pending = [];
    this.chain = this.chain.then(async () => {
      if (!data.length) return;
      const fs = await import('node:fs/promises');
      await fs.appendFile(this.path, Buffer.concat(data));
    });
    return this.chain;
  }
}
