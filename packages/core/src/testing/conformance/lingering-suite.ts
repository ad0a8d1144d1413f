import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { ErrorBody } from './assertions';
import type { Harness } from './harness';
import { sendThenRead, sendWhole, type RawResponse } from './raw-request';

const MiB = 1024 * 1024;
const SIZES = [Math.round(1.1 * MiB), 2 * MiB, 20 * MiB];
/**
 * For a client that reads nothing before it has sent everything: 8 MiB is past what
 * loopback socket buffers absorb (so a server that closes early makes it fail with EPIPE)
 * and below the 10 MiB the server drains at most; past that it may cut the connection.
 */
const SEND_THEN_READ_SIZES = [Math.round(1.1 * MiB), 2 * MiB, 8 * MiB];

/**
 * The lingering 413 (docs/reference/errors.md): a client still sending an oversized body,
 * with or without Content-Length, reads the 413 envelope instead of a reset connection, with
 * Node's client and with curl.
 */
export function lingeringSuite(h: Harness): void {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conformance-413-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const expect413 = (res: RawResponse, label: string) => {
    expect(res.status, `${label}: ${res.body.slice(0, 200)}`).to.equal(413);
    const body = JSON.parse(res.body) as ErrorBody;
    expect(body.error, label).to.equal('request_too_large');
    expect(body.request_id, label).to.equal(res.headers['x-request-id']);
    expect(res.headers.connection, label).to.equal('close');
  };

  for (const size of SIZES) {
    const mib = (size / MiB).toFixed(1);
    for (const chunked of [false, true]) {
      const framing = chunked ? 'chunked' : 'Content-Length';
      it(`answers a client that keeps sending ${mib} MiB (${framing}) with the 413 envelope (Node client)`, async function () {
        this.timeout(30_000);
        const res = await sendWhole(`${h.baseUrl}${h.api('/auth/register')}`, { 'x-forwarded-for': h.client().ip }, size, { chunked });
        expect413(res, `${mib} MiB ${framing}`);
      });

      it(`answers curl sending ${mib} MiB (${framing}) with the 413 envelope`, async function () {
        this.timeout(30_000);
        const file = join(dir, `body-${size}.json`);
        await writeFile(file, `"${'a'.repeat(size)}"`);
        const out = join(dir, `out-${size}-${framing}`);
        const args = ['-sS', '-o', out, '-D', `${out}.headers`, '-w', '%{http_code}', '-X', 'POST', '--data-binary', `@${file}`];
        args.push('-H', 'Content-Type: application/json', '-H', `X-Forwarded-For: ${h.client().ip}`);
        if (chunked) args.push('-H', 'Transfer-Encoding: chunked');
        const { code, stdout, stderr } = await curl([...args, `${h.baseUrl}${h.api('/auth/register')}`]);
        expect(code, `curl exit code (${stderr.trim()})`).to.equal(0);
        const headers = await readFile(`${out}.headers`, 'utf8');
        const requestId = /^x-request-id: *(\S+)/im.exec(headers)?.[1];
        const connection = /^connection: *(\S+)/im.exec(headers)?.[1];
        expect413({ status: Number(stdout), headers: { 'x-request-id': requestId, connection }, body: await readFile(out, 'utf8') }, `curl ${mib} MiB ${framing}`);
      });
    }
  }
  sendThenReadSuite(h, expect413);
}

function sendThenReadSuite(h: Harness, expect413: (res: RawResponse, label: string) => void): void {
  for (const size of SEND_THEN_READ_SIZES) {
    for (const chunked of [false, true]) {
      const label = `${(size / MiB).toFixed(1)} MiB (${chunked ? 'chunked' : 'Content-Length'})`;
      it(`answers a client that sends all ${label} before reading anything with the 413 envelope`, async function () {
        this.timeout(30_000);
        const res = await sendThenRead(`${h.baseUrl}${h.api('/auth/register')}`, { 'X-Forwarded-For': h.client().ip }, size, { chunked });
        expect413(res, label);
      });
    }
  }
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', args, { maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
