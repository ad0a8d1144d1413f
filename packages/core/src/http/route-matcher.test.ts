import { expect } from 'chai';
import type { Route } from './route';
import { RouteMatcher } from './route-matcher';

const ROUTES = [
  ['GET', '/api/v1/users'],
  ['POST', '/api/v1/users'],
  ['GET', '/api/v1/users/:id'],
  ['PATCH', '/api/v1/users/:id'],
  ['POST', '/api/v1/users/bulk'],
  ['DELETE', '/api/v1/users/:id/sessions/:sid'],
  ['GET', '/api/v1/things/:a/b'],
  ['GET', '/api/v1/things/c/:b'],
  ['GET', '/health'],
].map(([method, path], index) => ({ id: `r${index}`, method, path }) as unknown as Route);

const matcher = new RouteMatcher(ROUTES, '/api/v1');
const found = (method: string, path: string) => {
  const match = matcher.find(method, path);
  return match.kind === 'route' ? { id: match.entry.route.id, params: match.params } : match;
};

describe('RouteMatcher', () => {
  it('finds literal and :param routes, with or without a trailing slash, HEAD as GET', () => {
    expect(found('GET', '/api/v1/users')).to.deep.equal({ id: 'r0', params: {} });
    expect(found('POST', '/api/v1/users/')).to.deep.equal({ id: 'r1', params: {} });
    expect(found('HEAD', '/api/v1/users/42')).to.deep.equal({ id: 'r2', params: { id: '42' } });
    expect(found('DELETE', '/api/v1/users/7/sessions/9')).to.deep.equal({ id: 'r5', params: { id: '7', sid: '9' } });
    expect(found('GET', '/health/')).to.deep.equal({ id: 'r8', params: {} });
  });

  it('gives a literal path to its literal route only, never to a :param route of the same shape', () => {
    expect(found('POST', '/api/v1/users/bulk')).to.deep.equal({ id: 'r4', params: {} });
    expect(found('GET', '/api/v1/users/bulk')).to.deep.equal({ kind: 'unmatched', allowed: ['POST'] });
    expect(matcher.isLiteralPath('/api/v1/users/bulk/')).to.equal(true);
    expect(matcher.isLiteralPath('/api/v1/users/5')).to.equal(false);
  });

  it('answers 405 with every method of the path, 404 inside the prefix, not-mine outside', () => {
    expect(found('PUT', '/api/v1/users/5')).to.deep.equal({ kind: 'unmatched', allowed: ['GET', 'PATCH'] });
    expect(found('GET', '/api/v1/users/5/sessions')).to.deep.equal({ kind: 'unmatched', allowed: [] });
    expect(found('GET', '/api/v1/users//')).to.deep.equal({ kind: 'unmatched', allowed: [] });
    expect(found('GET', '/other')).to.deep.equal({ kind: 'not-mine' });
    expect(found('GET', '/api/v1x/users')).to.deep.equal({ kind: 'not-mine' });
  });

  it('decodes parameters, keeps a malformed escape raw, and takes the first of two fitting :param routes', () => {
    expect(found('GET', '/api/v1/users/a%2Fb')).to.deep.equal({ id: 'r2', params: { id: 'a/b' } });
    expect(found('GET', '/api/v1/users/%zz')).to.deep.equal({ id: 'r2', params: { id: '%zz' } });
    expect(found('GET', '/api/v1/things/c/b')).to.deep.equal({ id: 'r6', params: { a: 'c' } });
    expect(found('GET', '/api/v1/things/x/y')).to.deep.equal({ kind: 'unmatched', allowed: [] });
  });
});
