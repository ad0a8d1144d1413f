import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { expect } from 'chai';
import { createTestApi, type TestApi } from '../http-test-kit';
import { handleNodeRequest } from './serve-node';
import { errorResponse, handleClientError } from './server-answers';
import { waitFor } from '../../testing/wait-for';

/** Polls `check` until it holds, failing after `ms`. */
/** A server handing everything to the API, and answering 418 `host` for what is not the API's. */
async function serve(t: TestApi, options: ServerOptions = {}): Promise<{ server: Server; port: number }> {
  const server = createServer(options, (req, res) => {
    void handleNodeRequest(t.api, req, res, { ip: '198.51.100.3' }).then((handled) => {
      if (!handled) res.writeHead(418).end('host');
    });
  });
  server.on('clientError', handleClientError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Sends raw bytes and collects everything until the server closes the connection. */
function raw(port: number, text: string): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve({ answer, closed: true }));
    socket.on('error', reject);
    socket.write(text);
  });
}

describe('the Node adapter kit', () => {
  let t: TestApi;
  let server: Server;
  let port: number;
  beforeEach(async () => {
    t = createTestApi({ bodyReadTimeoutMs: 200 });
    ({ server, port } = await serve(t));
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  describe('handleNodeRequest', () => {
    it('leaves a path outside the API to the host, unread', async () => {
      const { answer } = await raw(port, 'POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
      expect(answer).to.match(/^HTTP\/1.1 418/);
      expect(answer).to.match(/\r\n\r\n(4\r\n)?host/);
    });

    it('aborts the request\'s execution signal when the client goes away', async () => {
      let signal: AbortSignal | undefined;
      t.services.auth.listSessions.callsFake(() => {
        signal = t.executionContext.signal;
        return new Promise(() => undefined);
      });
      const socket = connect({ port, host: '127.0.0.1' });
      socket.write('GET /api/v1/auth/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer user-token\r\n\r\n');
      await waitFor(() => signal !== undefined);
      expect(signal!.aborted).to.equal(false);
      socket.destroy();
      await waitFor(() => signal!.aborted);
    });

    it('logs a client that hangs up mid-upload as one info line, never an error', async () => {
      const received = new Promise((resolve) => server.once('request', resolve));
      const socket = connect({ port, host: '127.0.0.1' });
      socket.write('POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"email":');
      await received;
      socket.destroy();
      await waitFor(() => t.logger.info.getCalls().some((call) => /closed the connection/.test(String(call.args[1]))));
      expect(t.logger.error.called, String(t.logger.error.firstCall?.args[0])).to.equal(false);
    });

    it('answers a body that trickles past the body-read deadline with 504, then closes the connection', async () => {
      const { answer, closed } = await raw(
        port,
        'POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email"',
      );
      expect(answer).to.match(/^HTTP\/1.1 504/);
      expect(answer).to.match(/\r\nConnection: close\r\n/i);
      expect(answer).to.include('"error":"request_timeout"').and.include('Request body was not received within 0.2s');
      expect(closed).to.equal(true);
    });
  });

  describe('handleClientError', () => {
    it('answers a bad chunk size with the 400 envelope, a request id and the security headers', async () => {
      const { answer } = await raw(port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
      expect(answer).to.match(/^HTTP\/1.1 400 Bad Request\r\n/);
      const id = /\r\nX-Request-ID: ([^\r]+)/.exec(answer)?.[1];
      expect(id).to.be.a('string');
      expect(answer).to.include('X-Content-Type-Options: nosniff').and.include('Connection: close');
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body).to.deep.equal({ error: 'bad_request', message: 'Malformed HTTP request', details: [], request_id: id });
    });

    it('answers headers over the server\'s limit with the 413 envelope', async () => {
      const small = await serve(t, { maxHeaderSize: 1024 });
      try {
        const { answer } = await raw(small.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
        expect(answer).to.match(/^HTTP\/1.1 413/);
        expect(answer).to.include('"error":"request_too_large"');
      } finally {
        small.server.closeAllConnections();
        small.server.close();
      }
    });
  });

  describe('errorResponse', () => {
    it('builds the envelope with the echoed request id and the security headers, HSTS over HTTPS', () => {
      const response = errorResponse('not_found_error', { headers: { 'x-request-id': 'abc-1' }, https: true });
      expect(response.status).to.equal(404);
      expect(response.body).to.deep.equal({
        kind: 'json',
        value: { error: 'not_found_error', message: 'Route not found', details: [], request_id: 'abc-1' },
      });
      expect(response.headers).to.include({ 'X-Request-ID': 'abc-1', 'X-Frame-Options': 'DENY', 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' });
    });
  });
});
