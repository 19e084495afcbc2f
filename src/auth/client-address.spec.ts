import { addressKey } from './client-address';
import { DEVICE_COOKIE, deviceCookie, newDeviceToken, readDeviceToken } from './device-cookie';

describe(addressKey.name, () => {
  it('keeps IPv4 as is, unmaps IPv4-mapped IPv6 and keys IPv6 by its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:cb00:7109')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2::abcd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey('x'.repeat(100))).toHaveLength(64);
  });
});

describe('device cookie', () => {
  it('reads only a well-formed token of its own name', () => {
    const token = newDeviceToken();
    expect(readDeviceToken(`a=1; ${DEVICE_COOKIE}=${token}; b=2`)).toBe(token);
    expect(readDeviceToken(`${DEVICE_COOKIE}=short`)).toBeUndefined();
    expect(readDeviceToken(`x${DEVICE_COOKIE}=${token}`)).toBeUndefined();
    expect(readDeviceToken(undefined)).toBeUndefined();
  });

  it('is HttpOnly, SameSite=Strict, limited to /auth, Secure over https', () => {
    const c = deviceCookie('t', 3600, false);
    expect(c).toMatch(/; HttpOnly/);
    expect(c).toMatch(/; SameSite=Strict/);
    expect(c).toMatch(/; Path=\/auth/);
    expect(c).not.toMatch(/Secure/);
    expect(deviceCookie('t', 3600, true)).toMatch(/; Secure$/);
  });
});
