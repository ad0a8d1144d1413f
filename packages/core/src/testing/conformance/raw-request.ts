import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';

/** A response read by {@link sendChunked}. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs `totalBytes` of a JSON string with `Transfer-Encoding: chunked` (no Content-Length),
 * writing 64 KiB at a time with backpressure, and stops writing as soon as the server
 * answers: the server must refuse the body before it has read it whole.
 */
export function sendChunked(url: string, headers: Record<string, string>, totalBytes: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      });
      res.on('error', reject);
    });
    // A server that answers early may close the socket under our writes: only fail
    // when no answer came.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      const piece = Buffer.alloc(64 * 1024, 'a');
      req.write('"');
      for (let sent = 0; sent < totalBytes && !answered && !req.destroyed; sent += piece.length) {
        if (!req.write(piece)) await drainOrClose(req);
      }
      if (!answered && !req.destroyed) req.end('"');
    })();
  });
}

function drainOrClose(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}
