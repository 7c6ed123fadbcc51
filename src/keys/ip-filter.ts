import { BlockList, isIP } from 'node:net';

// IP allow and deny lists for the proxy routes, checked before auth. Entries are CIDR blocks
// (`10.0.0.0/8`, `fd00::/8`) or single addresses. Deny wins; an empty allow list allows everyone.
// IPv4 clients seen through an IPv6 socket (`::ffff:10.1.2.3`) are matched as IPv4.

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses `a.b.c.d/n`, `x::y/n` or a single address; undefined when it is neither. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return undefined;
  const v = isIP(addr);
  if (v === 0) return undefined;
  const max = v === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = bits === undefined ? max : Number(bits);
  if (prefix > max) return undefined;
  return { address: addr, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

function blockList(entries: string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const e of entries) {
    const c = parseCidr(e);
    if (!c) throw new Error(`"${e}" is not an IP address or CIDR block`);
    list.addSubnet(c.address, c.prefix, c.family);
  }
  return list;
}

export class IpFilter {
  private readonly allow?: BlockList;
  private readonly deny?: BlockList;

  constructor(allow: string[], deny: string[]) {
    this.allow = blockList(allow);
    this.deny = blockList(deny);
  }

  get active(): boolean {
    return this.allow !== undefined || this.deny !== undefined;
  }

  /** Whether a client at `ip` may use the proxy routes. */
  allows(ip: string | undefined): boolean {
    if (!this.active) return true;
    if (!ip) return false;
    const addr = normalizeIp(ip);
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (this.deny?.check(addr, family)) return false;
    return this.allow ? this.allow.check(addr, family) : true;
  }
}
