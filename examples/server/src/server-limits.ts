import type { Server } from 'node:http';
import { handleClientError, type Core } from '@app/core';

/** Longest a client may take to send its request line and headers. Node's default is 60 s. */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * Limits a slow or broken client cannot stretch: 10 s for the request head, the core's
 * request timeout plus the 5 s lingering drain (and a margin) for the whole request, and
 * Node's parser errors (bad chunk size, oversized header) answered in the API's envelope.
 * Bodies have their own deadline in the core (`BODY_READ_TIMEOUT_MS`).
 */
export function applyServerLimits(server: Server, core: Core): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = Math.max(HEADERS_TIMEOUT_MS, core.config.requestTimeoutMs) + 6_000;
  server.on('clientError', handleClientError);
}
