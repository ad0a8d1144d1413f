import type { Readable } from 'node:stream';

/**
 * The plain request an adapter builds from its framework's request. The pipeline never sees
 * a framework object.
 */
export interface HttpRequest {
  /** Upper-case method. */
  method: string;
  /**
   * The path relative to where the host mounted the API, raw (not percent-decoded) and
   * without the query string (e.g. `/api/v1/users/5` for `/auth/api/v1/users/5` under
   * `app.use('/auth', router)`). The core's own matcher routes it.
   */
  path: string;
  /** Where the host mounted the API (`/auth`); empty or absent at the root. */
  mountPath?: string;
  /** Path parameters decided by the caller; the core's matcher fills in the rest (tests use it). */
  params?: Record<string, string>;
  /** Query-string values; repeated keys arrive as arrays. */
  query: Record<string, string | string[] | undefined>;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  /** Client IP as the host framework decides it (its trust-proxy setting applies). */
  ip: string | undefined;
  /** `https` when the host framework says the request came over TLS. */
  protocol: 'http' | 'https';
  /**
   * The body: `{ kind: 'stream' }` when the pipeline must read it (it enforces the size limit
   * before buffering), `{ kind: 'parsed' }` when the host already parsed JSON, or none.
   */
  body: { kind: 'stream'; stream: Readable } | { kind: 'parsed'; value: unknown } | { kind: 'none' };
  /**
   * Aborted when the client went away before the response finished (the Node kit ties it to
   * the response's `close`). The pipeline merges it with its timeout, so the database and
   * hashing work of an abandoned request stops.
   */
  signal?: AbortSignal;
}

/** A body the adapter writes as is: JSON value, text, or a stream of chunks. */
export type HttpResponseBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; value: string }
  | { kind: 'stream'; chunks: AsyncIterable<string | Buffer> }
  | { kind: 'empty' };

/** The plain response the pipeline returns; the adapter copies it onto its framework. */
export interface HttpResponse {
  status: number;
  /** Header names as they should be sent; values already strings. */
  headers: Record<string, string>;
  body: HttpResponseBody;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
