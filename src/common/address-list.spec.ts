import { AddressList, addressKey, isAddressEntry } from './address-list';

describe('address lists (TRUST_PROXY, RATE_LIMIT_EXEMPT_ADDRESSES)', () => {
  it('matches addresses, ranges and the names loopback, linklocal, uniquelocal', () => {
    const list = new AddressList('192.0.2.7, 10.0.0.0/8 fd00::/8 loopback');
    expect(['192.0.2.7', '10.20.30.40', 'fd12::1', '127.0.0.1', '::1'].map((a) => list.has(a))).toEqual([true, true, true, true, true]);
    expect(['192.0.2.8', '11.0.0.1', 'fe80::1', '2001:db8::1', undefined, 'not an address'].map((a) => list.has(a))).toEqual([false, false, false, false, false, false]);
  });

  it('reads an IPv4-mapped IPv6 caller as the IPv4 address it carries', () => {
    expect(new AddressList('10.0.0.0/8').has('::ffff:10.1.2.3')).toBe(true);
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });

  it('counts IPv6 callers by their /64', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::9'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
  });

  it('accepts only four-part IPv4, IPv6, ranges and the names as entries', () => {
    expect(['1.2.3.4', '1.2.3.0/24', '::1', 'fd00::/8', 'uniquelocal'].every(isAddressEntry)).toBe(true);
    expect(['3', '0x7f.1', 'localhost', '1.2.3.4/33', 'true'].some(isAddressEntry)).toBe(false);
  });
});
