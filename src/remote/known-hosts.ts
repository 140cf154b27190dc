import { createHmac } from 'node:crypto';

/** The names a known_hosts line must carry for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  return port === 22 ? bare : `[${bare}]:${port}`;
}

/** Parses known_hosts text: a list of host patterns per line (hashed entries kept as `|1|salt|hash`). */
export function knownHostsEntries(text: string): { patterns: string[]; keyType: string }[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/))
    .map((f) => (f[0]?.startsWith('@') ? f.slice(1) : f))
    .filter((f) => f.length >= 3)
    .map((f) => ({ patterns: f[0]!.split(','), keyType: f[1]! }));
}

/** Whether known_hosts has a line for this host (plain or hashed, as ssh-keyscan -H writes). */
export function hasKnownHost(text: string, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  return knownHostsEntries(text).some(({ patterns }) =>
    patterns.some((p) => {
      if (p.startsWith('|1|')) {
        const [, , salt = '', hash = ''] = p.split('|');
        return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
      }
      return p === name || (p.includes('*') && new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(name));
    }),
  );
}
