/**
 * A trial started by a sweep (`TFBRICKS_STDIN_LIFELINE=1`, stdin a pipe from its parent) stops
 * when that pipe closes: the sweep process or worker died (kill -9 included). It stops the way
 * SIGTERM does (finish the batch, write the checkpoint, exit 143), so the trial never keeps
 * training behind the back of the worker that resumes it; after 60 s it exits regardless.
 */
export function exitWithParent(env: Record<string, string | undefined> = process.env): void {
  if (env.TFBRICKS_STDIN_LIFELINE !== '1') return;
  const stop = () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(143), 60_000).unref();
  };
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  // The pipe must not keep the process alive once the command is done.
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
