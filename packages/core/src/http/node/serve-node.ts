import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthContext } from '../../domain/types';
import type { HttpApi } from '../http-api';
import { toHttpRequest, type NodeRequestView } from './node-request';
import { writeNodeResponse, type NodeWriteOptions } from './node-response';

/** Options of {@link handleNodeRequest}. */
export interface NodeHandleOptions extends Pick<NodeWriteOptions, 'onStreamError'> {
  /**
   * Called once the API has decided to answer, before anything is written (Fastify's
   * `reply.hijack()`).
   */
  beforeWrite?: () => void;
}

/**
 * The whole of an adapter's request path: builds the plain request, lets the core's one
 * matcher route it, and writes the answer. Resolves `false`, having read and written
 * nothing, when the path is not the API's (outside its prefix and root routes): the adapter
 * then calls its framework's next handler.
 *
 * @example
 * router.use(async (req, res, next) => {
 *   const view = { url: req.url, mountPath: req.baseUrl, ip: req.ip, protocol: req.protocol, parsedBody: req.body };
 *   if (!(await handleNodeRequest(core.http, req, res, view))) next();
 * });
 */
export async function handleNodeRequest(
  http: HttpApi,
  req: IncomingMessage,
  res: ServerResponse,
  view: NodeRequestView,
  options: NodeHandleOptions = {},
): Promise<boolean> {
  const response = await http.dispatch(toHttpRequest(req, res, view));
  if (!response) return false;
  options.beforeWrite?.();
  await writeNodeResponse(req, res, response, { bodyLimitBytes: http.bodyLimitBytes, onStreamError: options.onStreamError });
  return true;
}

/**
 * The core of every adapter's guard: authenticates the request at `level` and returns the
 * caller, or writes the envelope's 401/403 (request id, security headers) and returns
 * `undefined`.
 */
export async function authenticateNodeRequest(
  http: HttpApi,
  req: IncomingMessage,
  res: ServerResponse,
  view: NodeRequestView & { level?: 'user' | 'superuser'; beforeWrite?: () => void },
): Promise<AuthContext | undefined> {
  // A guard reads no body (the host's route does); set on the request, not spread, so its
  // lazily made signal stays unmade.
  const request = toHttpRequest(req, res, view);
  request.body = { kind: 'none' };
  const outcome = await http.authenticate(request, view.level ?? 'user');
  if (outcome.ok) return outcome.auth;
  view.beforeWrite?.();
  await writeNodeResponse(req, res, outcome.response, { bodyLimitBytes: http.bodyLimitBytes });
  return undefined;
}
