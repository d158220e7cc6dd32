// `pnpm start` (or `TFBRICKS_BACKEND=cpu pnpm start`): run the example; errors are printed as
// `error[CODE]: message` plus the hint, with exit code 2 for a bad backend name, 1 otherwise.
import { isTfbricksError } from '@tfbricks/core';
import { runExample } from './example';

try {
  await runExample();
} catch (error) {
  if (isTfbricksError(error)) {
    console.error(`error[${error.code}]: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
    process.exitCode = error.usage ? 2 : 1;
  } else {
    throw error;
  }
}
