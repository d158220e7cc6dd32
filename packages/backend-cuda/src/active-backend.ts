import * as tf from '@tensorflow/tfjs-core';

/** The tfjs engine fields that say which backend is active (no public "unset" exists). */
interface EngineState {
  backendName: string | null;
  backendInstance: unknown;
}

/**
 * Remember which tfjs backend is active now, so that it can be restored after a module
 * that calls `tf.setBackend()` on import (`@tensorflow/tfjs-node-gpu` does) was loaded.
 * Returns the restore function.
 */
export function rememberActiveBackend(): () => Promise<void> {
  const previous = tf.getBackend() ?? null;
  return async () => {
    const now = tf.getBackend() ?? null;
    if (now === previous) return;
    if (previous !== null && tf.findBackendFactory(previous)) {
      await tf.setBackend(previous);
      return;
    }
    // Nothing was active before: return the engine to "no backend chosen yet", so that
    // importing did not pick one. The registry (or tfjs's own lazy choice) decides later.
    const engine = tf.engine() as unknown as EngineState;
    if ('backendName' in engine && 'backendInstance' in engine) {
      engine.backendName = null;
      engine.backendInstance = null;
    }
  };
}
