import * as tf from '@tensorflow/tfjs-core';

type ProgramRunner = { runWebGPUProgram: (program: { shaderKey: string }, ...rest: unknown[]) => unknown };

/**
 * Test support (Node tests and the browser test page): run `fn` on the active webgpu backend,
 * recording the shaderKey of every program it dispatches.
 */
export async function recordingPrograms<T>(fn: () => Promise<T>): Promise<{ result: T; programs: string[] }> {
  const backend = tf.backend() as unknown as ProgramRunner;
  const original = backend.runWebGPUProgram;
  const programs: string[] = [];
  backend.runWebGPUProgram = function (this: unknown, program, ...rest) {
    programs.push(program.shaderKey);
    return original.call(this, program, ...rest);
  };
  try {
    return { result: await fn(), programs };
  } finally {
    backend.runWebGPUProgram = original;
  }
}
