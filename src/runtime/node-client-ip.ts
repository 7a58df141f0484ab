import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../config';
import type { AppEnv } from '../http/env';

/**
 * The client address on Node. X-Forwarded-For is believed only when the socket peer is a proxy named in TRUST_PROXY
 * (addresses, CIDRs, or `loopback`); then the right-most address not itself a trusted proxy is the client. Anything
 * else would let a client pick its own rate-limit bucket by rotating the header.
 */
export function nodeClientIp(trustProxy: readonly string[]) {
  const trusted = new BlockList();
  for (const entry of trustProxy) {
    if (entry === 'loopback') {
      trusted.addSubnet('127.0.0.0', 8, 'ipv4');
      trusted.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, prefix] = entry.split('/');
    const family = isIP(address ?? '');
    if (!family) throw new ConfigError(`setting TRUST_PROXY is invalid: ${entry} is not an IP address or CIDR`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address!, type);
    else trusted.addSubnet(address!, Number(prefix), type);
  }
  const isTrusted = (ip: string) => {
    const family = isIP(ip);
    return family !== 0 && trusted.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (c: Context<AppEnv>): string | null => {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      return null;
    }
    if (!peer) return null;
    peer = peer.replace(/^::ffff:/, '');
    if (trustProxy.length === 0 || !isTrusted(peer)) return peer;
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim().replace(/^::ffff:/, '')).filter((s) => isIP(s));
    for (let i = hops.length - 1; i >= 0; i--) if (!isTrusted(hops[i]!)) return hops[i]!;
    return hops[0] ?? peer;
  };
}
