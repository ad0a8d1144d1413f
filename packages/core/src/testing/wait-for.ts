/**
 * Waits until `condition` holds, checking every `intervalMs` (default 20 ms), and fails
 * with `message` after `timeoutMs` (default 10 s): how a test waits for a state instead of
 * sleeping and hoping, so it passes on a busy machine and fails clearly on a broken one.
 *
 * @example
 * await waitFor(() => limiter.backend === 'redis', { message: 'the limiter returns to Redis' });
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${message} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
