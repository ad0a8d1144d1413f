import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { afterEach, before, describe, it } from 'mocha';
import type { Core } from '../core';
import { buildRequest, dispatchOwn } from '../http/http-test-kit';
import { createConsoleLogger } from '../logger/logger';
import { useTestCore } from '../testing/test-core';
import { describeSql, traceServices } from './tracing';

describe('OpenTelemetry spans', () => {
  const exporter = new InMemorySpanExporter();
  const fixture = useTestCore({ hashWorkers: 1, logger: createConsoleLogger({ level: 'error' }) });
  let core: Core;
  let token: string;

  before(async () => {
    core = fixture.core;
    const password = 'tracing-pw-123';
    const user = await core.services.users.createUser({ email: 'tracing@example.com', username: 'tracing', password });
    token = (await core.services.auth.login({ username: user.username, password })).accessToken;
  });
  afterEach(() => {
    trace.disable();
    context.disable();
    exporter.reset();
  });

  /** What a host does with an SDK: a provider and a context manager, registered globally. */
  function register(): void {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  }

  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const descends = (span: ReadableSpan, ancestor: ReadableSpan, all: ReadableSpan[]): boolean => {
    for (let parent = parentOf(span); parent; ) {
      if (parent === ancestor.spanContext().spanId) return true;
      parent = all.find((candidate) => candidate.spanContext().spanId === parent)?.parentSpanContext?.spanId;
    }
    return false;
  };

  it('records a request span named after the route template, with service and SQL spans beneath it', async () => {
    register();
    const response = await dispatchOwn(core.http, buildRequest({ path: '/api/v1/auth/me', token }));
    expect(response.status).to.equal(200);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === 'GET /api/v1/auth/me');
    expect(request, spans.map((span) => span.name).join(', ')).to.not.equal(undefined);
    expect(request!.attributes).to.include({ 'http.request.method': 'GET', 'http.route': '/api/v1/auth/me', 'http.response.status_code': 200 });
    expect(parentOf(request!), 'the request span is a root here').to.equal(undefined);

    const service = spans.find((span) => span.name === 'auth.authenticate');
    expect(service, 'the service call has its span').to.not.equal(undefined);
    expect(parentOf(service!)).to.equal(request!.spanContext().spanId);

    const sql = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(sql.length, 'SQL spans').to.be.greaterThan(0);
    expect(sql.every((span) => descends(span, service!, spans)), 'every statement under the service call').to.equal(true);
    expect(sql.map((span) => span.attributes['db.operation.name'])).to.include('SELECT');
    expect(sql.every((span) => span.attributes['db.system.name'] === 'sqlite')).to.equal(true);
    expect(sql.some((span) => /^SELECT \S*sessions$/.test(span.name)), sql.map((span) => span.name).join(', ')).to.equal(true);
    expect(JSON.stringify(sql.map((span) => span.attributes)), 'no statement text, no token').to.not.match(/tracing@example|\$2[aby]\$/);
  });

  it('records the status of a refused request and marks the failing service call', async () => {
    register();
    expect((await dispatchOwn(core.http, buildRequest({ path: '/api/v1/auth/me', token: 'bad-token' }))).status).to.equal(401);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === 'GET /api/v1/auth/me');
    expect(request!.attributes['http.response.status_code']).to.equal(401);
    expect(request!.status.code, 'a 4xx is not a server error').to.not.equal(SpanStatusCode.ERROR);
    const service = spans.find((span) => span.name === 'auth.authenticate');
    expect(service!.status.code).to.equal(SpanStatusCode.ERROR);
  });

  it('records nothing without a registered provider (the API\'s no-op)', async () => {
    const response = await dispatchOwn(core.http, buildRequest({ path: '/api/v1/auth/me', token }));
    expect(response.status).to.equal(200);
    await core.services.users.listUsers({ page: 1, size: 5, sort_by: 'created_at', sort_order: 'desc' } as never);
    expect(exporter.getFinishedSpans()).to.deep.equal([]);
  });

  it('names statements by operation and table, quoted, schema-qualified or not', () => {
    expect(describeSql('SELECT "id" FROM "users" AS "User" WHERE "User"."id" = 1;')).to.deep.equal({ operation: 'SELECT', table: 'users' });
    expect(describeSql('INSERT INTO "auth"."sessions" ("id") VALUES (1)')).to.deep.equal({ operation: 'INSERT', table: 'auth.sessions' });
    expect(describeSql('update users set x = 1')).to.deep.equal({ operation: 'UPDATE', table: 'users' });
    expect(describeSql('BEGIN DEFERRED TRANSACTION;')).to.deep.equal({ operation: 'BEGIN' });
  });

  it('lets a host save a service method and replace it with one that calls the saved one', async () => {
    class Greeter {
      greet(name: string) {
        return this.format(name);
      }
      format(name: string) {
        return `hello ${name}`;
      }
    }
    const greeter = new Greeter();
    const services = traceServices({ greeter });
    const saved = services.greeter.format.bind(services.greeter);
    // A decorator, as sinon.stub or a host's wrapper would install it: on the service itself.
    services.greeter.format = (name: string) => `${saved(name)}!`;
    expect(await services.greeter.greet('ada')).to.equal('hello ada!');
    expect(greeter.format('bo')).to.equal('hello bo!');
  });
});
