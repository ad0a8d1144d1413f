import type { Request, RequestHandler } from 'express';
import { authenticateNodeRequest, handleNodeRequest, type AuthContext, type Core, type NodeRequestView } from '@app/core';

declare global {
  // Express's own convention for typing what middleware adds to the request.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The caller's user and session, set by a guard from `createExpressGuard`. */
      auth?: AuthContext;
    }
  }
}

/** Options of {@link createExpressRouter}. */
export interface ExpressRouterOptions {
  /** Told when a streamed body (an export) fails after its headers were sent; default the core's logger. */
  onStreamError?: (error: Error) => void;
}

/** What Express knows beyond Node: the mount, `trust proxy`'s IP and protocol, a parsed body. */
function view(req: Request): NodeRequestView {
  return { url: req.url, mountPath: req.baseUrl, ip: req.ip, protocol: req.protocol === 'https' ? 'https' : 'http', parsedBody: req.body };
}

/**
 * Express middleware serving the core's HTTP API from wherever the host mounts it
 * (`app.use(router)`, `app.use('/auth', router)`): every request goes to the core's one
 * matcher; paths outside the API's prefix and its root routes (`/health`) go on to the host.
 * It is one handler, not an `express.Router()`: the core routes by itself, and a router of
 * its own would walk its layer stack again on every request (docs/PERFORMANCE.md).
 *
 * It changes nothing on the host. `trust proxy` decides the client IP and the protocol; a
 * JSON body the host already parsed (`express.json()`) is reused, else the core reads the
 * stream with its own limit, media type and syntax checks.
 *
 * @example
 * const app = express();
 * app.set('trust proxy', 1); // when behind one reverse proxy
 * app.use('/auth', createExpressRouter(core)); // /auth/health, /auth/api/v1/...
 */
export function createExpressRouter(core: Core, options: ExpressRouterOptions = {}): RequestHandler {
  const onStreamError = options.onStreamError ?? ((error: Error) => core.config.logger.error(`Streaming a response failed: ${error.message}`));
  return async (req, res, next) => {
    if (!(await handleNodeRequest(core.http, req, res, view(req), { onStreamError }))) next();
  };
}

/**
 * Middleware for the host's own routes: authenticates the bearer token with the core (an
 * active user with an active session; `superuser` also requires the flag) and sets
 * `req.auth`, or answers the envelope's 401/403 with a request id and security headers.
 *
 * @example
 * app.get('/reports', createExpressGuard(core, 'superuser'), (req, res) => res.json({ by: req.auth!.user.username }));
 */
export function createExpressGuard(core: Core, level: 'user' | 'superuser' = 'user'): RequestHandler {
  return async (req, res, next) => {
    const auth = await authenticateNodeRequest(core.http, req, res, { ...view(req), level });
    if (!auth) return;
    req.auth = auth;
    next();
  };
}
