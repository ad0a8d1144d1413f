import type { Server } from 'node:http';
import type { Logger } from 'pino';

/** Options of {@link installGracefulShutdown}. */
export interface ShutdownOptions {
  /** Releases everything behind the server (for the example: `core.close()`). */
  close: () => Promise<void>;
  log: Logger;
  /** How long in-flight requests may take before their connections are cut. Default 30 s. */
  graceMs?: number;
}

/**
 * On the first SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish
 * (idle keep-alive connections are closed at once by Node), then run `close` and exit 0.
 * A second signal exits at once with status 1.
 */
export function installGracefulShutdown(server: Server, options: ShutdownOptions): void {
  const { close, log, graceMs = 30_000 } = options;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    // A client that keeps a request open forever must not hold the process hostage.
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      close().then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'error while closing the core');
          process.exit(1);
        },
      );
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
