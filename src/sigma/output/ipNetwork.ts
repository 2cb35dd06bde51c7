// The network of a `cidr` value, read the way pySigma reads it (Python's ip_network, strict): one place for both outputs.
import { isIPv4, isIPv6 } from 'node:net';
import { quoted } from '../../util/text.js';
import { SigmaRefused } from '../refused.js';

/** A CIDR network: its address in canonical form (IPv6 compressed, lower case) and its prefix length. */
export interface IpNetwork {
  address: string;
  prefix: number;
  v6: boolean;
}

/** Reads `10.0.0.0/8` or `fe80::/10` (no `/`: a single address); throws SigmaRefused for what is not a network. */
export function ipNetwork(text: string): IpNetwork {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const v6 = isIPv6(address);
  if (!v6 && !isIPv4(address)) throw new SigmaRefused(`cidr value ${quoted(text)} is not an IPv4 or IPv6 network: write it as 10.0.0.0/8 or fe80::/10`);
  const bits = v6 ? 128 : 32;
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix <= bits)) throw new SigmaRefused(`cidr value ${quoted(text)} has no valid prefix length (0 to ${bits}): write it as ${v6 ? 'fe80::/10' : '10.0.0.0/8'}`);
  if (!v6) {
    const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    const host = prefix === 32 ? 0 : value % 2 ** (32 - prefix);
    if (host !== 0) throw new SigmaRefused(`cidr value ${quoted(text)} has host bits set: write the network address, ${ipv4(value - host)}/${prefix}`);
    return { address, prefix, v6 };
  }
  const hextets = ipv6Hextets(address);
  const hostBits = hextets.some((hextet, index) => hextet & (0xffff >> Math.max(0, Math.min(16, prefix - index * 16))));
  if (prefix < 128 && hostBits) {
    const network = hextets.map((hextet, index) => hextet & ~(0xffff >> Math.max(0, Math.min(16, prefix - index * 16))) & 0xffff);
    throw new SigmaRefused(`cidr value ${quoted(text)} has host bits set: write the network address, ${ipv6Text(network)}/${prefix}`);
  }
  return { address: ipv6Text(hextets), prefix, v6 };
}

/** The eight 16-bit groups of an IPv6 address Node's isIPv6 accepted (`::` runs and a dotted IPv4 tail expanded). */
function ipv6Hextets(address: string): number[] {
  const expanded = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = expanded.includes('::') ? expanded.split('::') : [expanded, undefined];
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = groups(head);
  if (tail === undefined) return front;
  const back = groups(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** Python's str() of an IPv6 address: compressed, lower case, and (Python 3.13, which pySigma runs on) an IPv4-mapped address with a dotted quad tail. */
function ipv6Text(hextets: number[]): string {
  const compressed = new URL(`http://[${hextets.map((h) => h.toString(16)).join(':')}]/`).hostname.slice(1, -1);
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) return `::ffff:${ipv4(hextets[6]! * 65536 + hextets[7]!)}`;
  return compressed;
}

function ipv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
