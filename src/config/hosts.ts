import { isIPv4, isIPv6 } from 'node:net';

// One parser for every SSH address the config names: the hosts ("host", "host:port", {host, port,
// user}) and the proxy-jump hops ("[user@]host[:port]", several separated by ","). What it accepts is
// safe everywhere such a value goes: an ssh argument, the `-J` value that ssh pastes into the hop's
// shell command, a known_hosts lookup. So: no leading "-" (an option), no spaces, newlines or control
// characters, no "%" (ssh's tokens), nothing a shell reads.

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/i;

export const HOST_MESSAGE = 'expected a host name or IP address';
export const USER_MESSAGE = 'expected a user name of letters, digits, "_", "." or "-"';
export const PORT_MESSAGE = 'expected a port number from 1 to 65535';
export const HOST_STRING_MESSAGE = 'expected "host", "host:port" or {host, port, user} (a host name or IP address, no spaces or shell characters)';
export const HOP_MESSAGE = 'expected [user@]host[:port] (several hops separated by ",")';

/** A host name, an IPv4 address, or an IPv6 address in brackets ("[2001:db8::1]"). */
export function isHostname(s: string): boolean {
  if (s.startsWith('[') && s.endsWith(']')) return isIPv6(s.slice(1, -1)) && !s.includes('%');
  return isIPv4(s) || (HOSTNAME.test(s) && !/^[\d.]+$/.test(s));
}

export function isUserName(s: string): boolean {
  return USER.test(s);
}

/** Why a value ssh would misread is refused, when the generic message would not say it. */
export function hazard(s: string): string | undefined {
  if (s === '') return 'it is empty';
  if (s.startsWith('-')) return 'a leading "-" would make it an ssh option';
  if (/[\r\n]/.test(s)) return 'it contains a line break';
  if (/[\s\p{Cc}]/u.test(s)) return 'it contains a space or a control character';
  if (s.includes('%')) return 'ssh would expand "%" tokens in it';
  return undefined;
}

const withHazard = (message: string, s: string): string => {
  const why = hazard(s);
  return why ? `${message}: ${why}` : message;
};

export interface Address {
  host: string;
  port?: number;
  user?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Host names are case-insensitive (ssh lower-cases them too): one spelling, so duplicates are found. */
const canonical = (host: string) => host.toLowerCase();

function parsePort(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  const n = Number(text);
  return /^\d{1,5}$/.test(text) && n >= 1 && n <= 65535 ? n : null;
}

/** "host", "host:port", "[v6]" or "[v6]:port"; with `user`, also "user@..." (a proxy-jump hop). */
export function parseAddress(text: string, options: { user: boolean }): Parsed<Address> {
  const message = options.user ? HOP_MESSAGE : HOST_STRING_MESSAGE;
  if (hazard(text)) return { ok: false, message: withHazard(message, text) };
  const m = /^(?:([^@]*)@)?(\[[^\]]*\]|[^:@[\]]*)(?::([^:]*))?$/.exec(text);
  if (!m) return { ok: false, message };
  const [, user, host = '', portText] = m;
  if (user !== undefined) {
    if (!options.user) return { ok: false, message: `${message}: put the user in {host, port, user} or ssh.user` };
    if (!isUserName(user)) return { ok: false, message: `${message}: ${withHazard(`the user ${JSON.stringify(user)} is not a user name`, user)}` };
  }
  if (!isHostname(host)) return { ok: false, message: hazard(host) ? `${message}: ${withHazard(`the host ${JSON.stringify(host)} is not valid`, host)}` : message };
  const port = parsePort(portText);
  if (port === null) return { ok: false, message: options.user ? `${message}: ${PORT_MESSAGE} after ":"` : `${PORT_MESSAGE} after ":"` };
  return { ok: true, value: { host: canonical(host), ...(port !== undefined ? { port } : {}), ...(user !== undefined ? { user } : {}) } };
}

/** The host of a {host, port, user} map: a name, an IPv4 address, or an IPv6 address with or without brackets. */
export function parseHostField(text: string): Parsed<string> {
  const host = isIPv6(text) ? `[${text}]` : text;
  if (!isHostname(host)) return { ok: false, message: withHazard(HOST_MESSAGE, text) };
  return { ok: true, value: canonical(host) };
}

export function parseUserField(text: string): Parsed<string> {
  return isUserName(text) ? { ok: true, value: text } : { ok: false, message: withHazard(USER_MESSAGE, text) };
}

/** `ssh.proxy-jump`: hops in the order ssh connects to them. */
export function parseProxyJump(text: string): Parsed<Address[]> {
  const hops = text.split(',');
  const parsed: Address[] = [];
  for (const [i, hop] of hops.entries()) {
    const r = parseAddress(hop, { user: true });
    if (!r.ok) return { ok: false, message: hops.length > 1 ? `${r.message} (hop ${i + 1} of ${hops.length}: ${JSON.stringify(hop)})` : r.message };
    parsed.push(r.value);
  }
  return { ok: true, value: parsed };
}

/** How a host is named in logs, outputs and summaries: "host" on port 22, "host:port" otherwise. */
export function hostId(host: string, port: number): string {
  return port === 22 ? host : `${host}:${port}`;
}
