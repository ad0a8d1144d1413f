import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authenticateNodeRequest, handleNodeRequest, type AuthContext, type Core, type NodeRequestView } from '@app/core';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's user and session, set by a preHandler from `createFastifyGuard`. */
    auth?: AuthContext;
  }
}

/** Options of {@link corePlugin}, besides Fastify's own (`prefix`). */
export interface CorePluginOptions {
  core: Core;
  /** Told when a streamed body (an export) fails after its headers were sent; default the core's logger. */
  onStreamError?: (error: Error) => void;
}

/** What Fastify knows beyond Node: the plugin's prefix, `trustProxy`'s IP and protocol. */
function view(request: FastifyRequest, prefix: string): NodeRequestView {
  const url = request.raw.url ?? '/';
  const relative = url.slice(prefix.length);
  return { url: relative.startsWith('/') ? relative : `/${relative}`, mountPath: prefix, ip: request.ip, protocol: request.protocol };
}

/**
 * A Fastify 5 plugin serving the core's HTTP API under the prefix it is registered with
 * (`app.register(corePlugin, { core, prefix: '/auth' })`): every request under it goes to the
 * core's one matcher; what is not the API's goes to the host's 404 handler.
 *
 * Encapsulated: its content-type parsing (none: the raw stream goes to the core, which
 * enforces its own limit, media type and syntax) applies inside the plugin only, and the
 * host's parsers, hooks and settings elsewhere are untouched. `trustProxy` decides the client
 * IP and the protocol.
 */
export const corePlugin: FastifyPluginAsync<CorePluginOptions> = async (fastify, options) => {
  const { core } = options;
  const onStreamError = options.onStreamError ?? ((error: Error) => core.config.logger.error(`Streaming a response failed: ${error.message}`));
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const beforeWrite = () => void reply.hijack();
    if (!(await handleNodeRequest(core.http, request.raw, reply.raw, view(request, fastify.prefix), { onStreamError, beforeWrite }))) {
      return reply.callNotFound();
    }
  };
  // The prefix itself is never the API's (its paths all have a segment more), so `/` stays
  // free for the host's own route.
  fastify.all('/*', serve);
};

/**
 * Fastify refuses a malformed percent-escape anywhere in the URL before any route runs. Pass
 * this as the server's `frameworkErrors` to let the core answer such a request under its
 * prefix (422 for a bad path parameter) in its envelope; other errors keep Fastify's answer.
 */
export function createFrameworkErrors(core: Core, prefix = '') {
  return async (error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const beforeWrite = () => void reply.hijack();
    const handled = error.code === 'FST_ERR_BAD_URL' && (request.raw.url ?? '').startsWith(prefix);
    if (!handled || !(await handleNodeRequest(core.http, request.raw, reply.raw, view(request, prefix), { beforeWrite }))) {
      await reply.code(400).send(error);
    }
  };
}

/**
 * A preHandler for the host's own routes: authenticates the bearer token with the core (an
 * active user with an active session; `superuser` also requires the flag) and sets
 * `request.auth`, or answers the envelope's 401/403 with a request id and security headers.
 */
export function createFastifyGuard(core: Core, level: 'user' | 'superuser' = 'user'): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const beforeWrite = () => void reply.hijack();
    const auth = await authenticateNodeRequest(core.http, request.raw, reply.raw, { ...view(request, ''), level, beforeWrite });
    if (auth) request.auth = auth;
  };
}
