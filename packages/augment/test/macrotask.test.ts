import { describe, expect, it } from 'vitest';
import { macrotask } from '../src/macrotask';

describe('macrotask', () => {
  it('runs after the current task and its microtasks, with setImmediate (Node) and with MessageChannel (browsers)', async () => {
    for (const withImmediate of [true, false]) {
      const saved = globalThis.setImmediate;
      if (!withImmediate) (globalThis as { setImmediate?: unknown }).setImmediate = undefined;
      try {
        const order: string[] = [];
        const done = new Promise<void>((resolve) => macrotask(() => (order.push('task'), resolve())));
        await Promise.resolve().then(() => order.push('microtask'));
        order.push('sync after await');
        await done;
        expect(order, `setImmediate ${withImmediate}`).toEqual(['microtask', 'sync after await', 'task']);
      } finally {
        globalThis.setImmediate = saved;
      }
    }
  });
});
