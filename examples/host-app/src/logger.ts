// #region logger
import pino, { type DestinationStream } from 'pino';

/**
 * The host's own logger: pino, one JSON line per entry (stdout unless told otherwise). The core
 * is handed a child of it, so the core's lines carry `component: "auth"` beside the host's.
 */
export function createHostLogger(destination: DestinationStream = pino.destination(1)) {
  const log = pino({ name: 'host-app' }, destination);
  return { log, coreLogger: log.child({ component: 'auth' }) };
}
// #endregion logger
