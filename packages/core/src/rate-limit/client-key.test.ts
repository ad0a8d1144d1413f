import { expect } from 'chai';
import { describe, it } from 'mocha';
import { clientKey, UNKNOWN_CLIENT } from './client-key';

describe('clientKey', () => {
  describe('IPv4', () => {
    for (const [given, expected] of [
      ['203.0.113.9', '203.0.113.9'],
      ['0.0.0.0', '0.0.0.0'],
      ['255.255.255.255', '255.255.255.255'],
      [' 203.0.113.9 ', '203.0.113.9'],
    ] as const) {
      it(`keys ${JSON.stringify(given)} as ${expected}`, () => {
        expect(clientKey(given)).to.equal(expected);
      });
    }

    it('keeps neighbouring IPv4 addresses apart', () => {
      expect(clientKey('203.0.113.9')).to.not.equal(clientKey('203.0.113.10'));
    });
  });

  describe('IPv4-mapped IPv6', () => {
    for (const given of [
      '::ffff:203.0.113.9',
      '::FFFF:203.0.113.9',
      '0:0:0:0:0:ffff:203.0.113.9',
      '0000:0000:0000:0000:0000:FFFF:CB00:7109',
      '::ffff:cb00:7109',
    ]) {
      it(`keys ${given} as the IPv4 address`, () => {
        expect(clientKey(given)).to.equal('203.0.113.9');
      });
    }
  });

  describe('IPv6', () => {
    it('writes one canonical form for every case and zero-run spelling', () => {
      const spellings = [
        '2001:db8:0:1::5',
        '2001:DB8:0:1::5',
        '2001:0db8:0000:0001:0000:0000:0000:0005',
        '2001:db8::1:0:0:0:5',
        '2001:db8:0:1:0:0:0:5',
      ];
      for (const spelling of spellings) expect(clientKey(spelling), spelling).to.equal('2001:db8:0:1::/64');
    });

    it('groups a /64 by default: every address of the subnet shares one key', () => {
      expect(clientKey('2001:db8:0:1::1')).to.equal(clientKey('2001:db8:0:1:ffff:ffff:ffff:ffff'));
      expect(clientKey('2001:db8:0:1::1')).to.not.equal(clientKey('2001:db8:0:2::1'));
    });

    it('takes another prefix length when asked', () => {
      expect(clientKey('2001:db8:aa:bb:cc::1', { ipv6Prefix: 48 })).to.equal('2001:db8:aa::/48');
      expect(clientKey('2001:db8:aa:bbcc::1', { ipv6Prefix: 56 })).to.equal('2001:db8:aa:bb00::/56');
      expect(clientKey('2001:db8:aa:bb:cc::1', { ipv6Prefix: 128 })).to.equal('2001:db8:aa:bb:cc::1/128');
      expect(clientKey('2001:db8:aa:bb:cc::1', { ipv6Prefix: 60 })).to.equal('2001:db8:aa:b0::/60');
    });

    it('compresses the longest zero run, the first of equal ones (RFC 5952)', () => {
      expect(clientKey('2001:db8:0:0:1:0:0:1', { ipv6Prefix: 128 })).to.equal('2001:db8::1:0:0:1/128');
      expect(clientKey('2001:0:0:1:0:0:0:1', { ipv6Prefix: 128 })).to.equal('2001:0:0:1::1/128');
      expect(clientKey('2001:db8:0:1:1:1:1:1', { ipv6Prefix: 128 })).to.equal('2001:db8:0:1:1:1:1:1/128');
    });

    it('ignores a zone id', () => {
      expect(clientKey('fe80::1%eth0')).to.equal('fe80::/64');
    });

    it('keys loopback and the unspecified address as IPv6', () => {
      expect(clientKey('::1')).to.equal('::/64');
      expect(clientKey('::1', { ipv6Prefix: 128 })).to.equal('::1/128');
    });

    it('keeps an IPv4 tail that is not IPv4-mapped as IPv6', () => {
      expect(clientKey('64:ff9b::203.0.113.9', { ipv6Prefix: 128 })).to.equal('64:ff9b::cb00:7109/128');
    });
  });

  describe('not an IP address', () => {
    for (const given of [undefined, null, '', 'unknown', 'localhost', '203.0.113', '203.0.113.256', '010.0.0.1', '[::1]', '2001:db8::1::2', '1.2.3.4, 5.6.7.8', 'x'.repeat(5000)]) {
      it(`keys ${JSON.stringify(given)?.slice(0, 40)} as ${UNKNOWN_CLIENT}`, () => {
        expect(clientKey(given)).to.equal(UNKNOWN_CLIENT);
      });
    }
  });
});
