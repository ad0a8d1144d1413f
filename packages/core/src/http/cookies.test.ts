import { expect } from 'chai';
import { readCookie, serializeCookie } from './cookies';

describe('cookies', () => {
  describe('readCookie', () => {
    it('finds a cookie among others, in one header or several', () => {
      expect(readCookie({ cookie: 'a=1; __Secure-rt=abc.def; b=2' }, '__Secure-rt')).to.equal('abc.def');
      expect(readCookie({ cookie: ['a=1', 'rt="quoted"'] }, 'rt')).to.equal('quoted');
    });

    it('answers undefined for a missing, empty or merely similar cookie', () => {
      expect(readCookie({}, 'rt')).to.equal(undefined);
      expect(readCookie({ cookie: 'rt=' }, 'rt')).to.equal(undefined);
      expect(readCookie({ cookie: 'xrt=1; =2; rt' }, 'rt')).to.equal(undefined);
    });
  });

  describe('serializeCookie', () => {
    it('always sets HttpOnly, Secure and SameSite=Strict on the given path', () => {
      expect(serializeCookie('rt', 'v', { path: '/api/v1/auth/refresh', maxAgeSeconds: 60.9 })).to.equal(
        'rt=v; Path=/api/v1/auth/refresh; Max-Age=60; HttpOnly; Secure; SameSite=Strict',
      );
      expect(serializeCookie('rt', '', { path: '/p', maxAgeSeconds: -5 })).to.include('Max-Age=0;');
    });
  });
});
