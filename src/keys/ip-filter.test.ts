import { describe, expect, it } from 'vitest';
import { IpFilter, parseCidr } from './ip-filter.js';

describe('IpFilter', () => {
  it('parses CIDR blocks and single addresses, rejects the rest', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('192.168.1.7')).toEqual({ address: '192.168.1.7', prefix: 32, family: 'ipv4' });
    expect(parseCidr('fd00::/8')).toMatchObject({ prefix: 8, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0/8', '1.2.3.4/x', '::1/129', '']) expect(parseCidr(bad)).toBeUndefined();
  });

  it('no lists: everyone', () => {
    expect(new IpFilter([], []).allows('203.0.113.9')).toBe(true);
  });

  it('allow list: only those; deny wins over allow', () => {
    const f = new IpFilter(['127.0.0.0/8', '10.0.0.0/8'], ['10.6.6.6']);
    expect(f.allows('127.0.0.1')).toBe(true);
    expect(f.allows('10.1.2.3')).toBe(true);
    expect(f.allows('10.6.6.6')).toBe(false);
    expect(f.allows('192.168.0.1')).toBe(false);
    expect(f.allows(undefined)).toBe(false);
  });

  it('matches IPv4 clients seen on an IPv6 socket as IPv4, and IPv6 blocks', () => {
    const f = new IpFilter([], ['127.0.0.1/32', 'fd00::/8']);
    expect(f.allows('::ffff:127.0.0.1')).toBe(false);
    expect(f.allows('fd12::1')).toBe(false);
    expect(f.allows('::1')).toBe(true);
  });
});
