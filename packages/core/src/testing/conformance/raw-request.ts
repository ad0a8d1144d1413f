import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

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

/** How {@link sendWhole} frames its body. */
export interface WholeBodyOptions {
  /** `Transfer-Encoding: chunked` instead of a `Content-Length`. */
  chunked?: boolean;
}

/**
 * POSTs `totalBytes` of a JSON string like a naive client: it keeps writing the whole body
 * (64 KiB at a time, with backpressure) even after the server has answered, and only then
 * reads. Resolves with the answer; rejects only when the connection failed before any answer
 * arrived (EPIPE, reset), which is what a server that closes too early causes.
 */
export function sendWhole(url: string, headers: Record<string, string>, totalBytes: number, options: WholeBodyOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answer: RawResponse | undefined;
    const framing: Record<string, string> = options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(totalBytes + 2) };
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', ...framing } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        answer = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
        resolve(answer);
      });
    });
    // After a complete answer, a cut connection is the server's right (past its drain limits).
    req.on('error', (error) => {
      if (!answer) reject(error);
    });
    void (async () => {
      const piece = Buffer.alloc(64 * 1024, 'a');
      req.write('"');
      for (let sent = 0; sent < totalBytes && !req.destroyed; sent += piece.length) {
        const part = sent + piece.length > totalBytes ? piece.subarray(0, totalBytes - sent) : piece;
        if (!req.write(part)) await drainOrClose(req);
      }
      if (!req.destroyed) req.end('"');
    })();
  });
}

/**
 * The most naive client of all: over a raw socket it sends the request head and the whole
 * body without reading anything, and only then reads the answer. A server that closes the
 * connection while such a client is still sending makes its kernel discard the answer (the
 * reset wins); a server that drains the body first is read fine.
 */
export function sendThenRead(url: string, headers: Record<string, string>, totalBytes: number, options: WholeBodyOptions = {}): Promise<RawResponse> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.pause();
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(received).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const parsed: IncomingHttpHeaders = {};
      for (const line of lines) parsed[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers: parsed, body });
      socket.destroy();
    });
    const framing = options.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${totalBytes + 2}`;
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    const write = (data: string | Buffer) => (socket.write(data) ? Promise.resolve() : new Promise((ok) => socket.once('drain', ok)));
    const frame = (data: string | Buffer) => (options.chunked ? [`${data.length.toString(16)}\r\n`, data, '\r\n'] : [data]);
    void (async () => {
      await write(`POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n${framing}\r\n${extra}\r\n`);
      const piece = Buffer.alloc(64 * 1024, 'a');
      const parts: (string | Buffer)[] = ['"'];
      for (let sent = 0; sent < totalBytes; sent += piece.length) parts.push(sent + piece.length > totalBytes ? piece.subarray(0, totalBytes - sent) : piece);
      parts.push('"');
      for (const part of parts) for (const data of frame(part)) await write(data);
      if (options.chunked) await write('0\r\n\r\n');
      // Only now is the answer read, as a client that sends first and reads later does.
      socket.resume();
    })().catch(reject);
  });
}
