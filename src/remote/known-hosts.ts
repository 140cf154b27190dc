import { createHmac } from 'node:crypto';

// The known-hosts input is handed to ssh as it is (UserKnownHostsFile, strict checking): ssh decides.
// This module only answers, before any connection, "would ssh find a key it may accept for this
// host?", with ssh's own rules (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
// - a plain line (patterns, key type, key) trusts that key for the hosts its patterns match;
// - `@cert-authority` trusts host certificates signed by that key for those hosts (ssh checks the
//   signature, the validity and that a principal names the host);
// - `@revoked` never makes a host known: ssh refuses that key wherever it appears;
// - a negated pattern (`!host`) takes the host out of a line even when another pattern matches;
// - hashed patterns (`|1|salt|hash`, `ssh-keyscan -H`) match the name they hash;
// - lines ssh ignores (an unknown marker or key type, too few fields) count for nothing.

/** The names a known_hosts line must carry for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  return port === 22 ? bare : `[${bare}]:${port}`;
}

export interface KnownHostsEntry {
  /** 1-based line number in the input. */
  line: number;
  marker?: 'cert-authority' | 'revoked';
  patterns: string[];
  keyType: string;
  /** Why ssh would skip this line, if it would. */
  ignored?: string;
}

const KEY_TYPES = new Set([
  'ssh-ed25519', 'ssh-rsa', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/** Parses known_hosts text: one entry per line that is not blank or a comment. */
export function knownHostsEntries(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (!l || l.startsWith('#')) return;
    let fields = l.split(/\s+/);
    let marker: KnownHostsEntry['marker'];
    let ignored: string | undefined;
    if (fields[0]!.startsWith('@')) {
      if (fields[0] === '@cert-authority') marker = 'cert-authority';
      else if (fields[0] === '@revoked') marker = 'revoked';
      else ignored = `unknown marker ${fields[0]}`;
      fields = fields.slice(1);
    }
    const [patterns = '', keyType = ''] = fields;
    if (!ignored && fields.length < 3) ignored = 'expected "host key-type base64-key"';
    if (!ignored && !KEY_TYPES.has(keyType)) ignored = `unknown key type "${keyType.slice(0, 40)}"`;
    entries.push({ line: i + 1, ...(marker ? { marker } : {}), patterns: patterns.split(','), keyType, ...(ignored ? { ignored } : {}) });
  });
  return entries;
}

/** One pattern against a name, as ssh's match_pattern: `*` and `?` wildcards, case-insensitive. */
function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt = '', hash = ''] = pattern.split('|');
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'is').test(name);
}

/** A pattern list against a name, as ssh's match_hostname: a matching negated pattern wins. */
export function entryMatches(entry: Pick<KnownHostsEntry, 'patterns'>, name: string): boolean {
  let positive = false;
  for (const p of entry.patterns) {
    if (p.startsWith('!')) {
      if (patternMatches(p.slice(1), name)) return false;
    } else if (patternMatches(p, name)) positive = true;
  }
  return positive;
}

export type KnownHostStatus =
  /** a plain key for it */
  | 'key'
  /** only a certificate authority for it (the host must present a certificate) */
  | 'cert-authority'
  /** only @revoked keys name it */
  | 'revoked-only'
  | 'unknown';

export function knownHostStatus(text: string, host: string, port: number): KnownHostStatus {
  const name = knownHostsName(host, port);
  const matching = knownHostsEntries(text).filter((e) => !e.ignored && entryMatches(e, name));
  if (matching.some((e) => !e.marker)) return 'key';
  if (matching.some((e) => e.marker === 'cert-authority')) return 'cert-authority';
  return matching.length ? 'revoked-only' : 'unknown';
}

/** Whether ssh could accept some key for this host (plain or hashed line, or a certificate authority). */
export function hasKnownHost(text: string, host: string, port: number): boolean {
  const status = knownHostStatus(text, host, port);
  return status === 'key' || status === 'cert-authority';
}

/** Lines of the input ssh would skip, to warn about (a typo there is a host that will not connect). */
export function ignoredKnownHostsLines(text: string): string[] {
  return knownHostsEntries(text)
    .filter((e) => e.ignored)
    .map((e) => `line ${e.line}: ${e.ignored}`);
}

/**
 * The pre-check: every host and jump host needs a line ssh may accept. Returns the one-line error,
 * or undefined when every one has a line.
 */
export function knownHostsProblem(text: string, targets: { id: string; host: string; port: number; role?: string }[]): string | undefined {
  const unknown: string[] = [];
  const revoked: string[] = [];
  const names: string[] = [];
  for (const t of targets) {
    const status = knownHostStatus(text, t.host, t.port);
    if (status === 'key' || status === 'cert-authority') continue;
    (status === 'unknown' ? unknown : revoked).push(`${t.role ? `${t.role} ` : ''}${t.id}`);
    if (knownHostsName(t.host, t.port) !== t.id) names.push(`${t.id} as ${knownHostsName(t.host, t.port)}`);
  }
  if (!unknown.length && !revoked.length) return undefined;
  const skipped = ignoredKnownHostsLines(text);
  return (
    `known-hosts has ${[unknown.length ? `no line for ${unknown.join(', ')}` : '', revoked.length ? `only @revoked keys for ${revoked.join(', ')}` : ''].filter(Boolean).join(' and ')}; nothing was run. ` +
    'Get the line with `ssh-keyscan -p PORT HOST` from a trusted machine, check the fingerprint, and add it to the known-hosts secret' +
    (names.length ? ` (ssh looks up ${names.join(', ')})` : '') +
    (skipped.length ? ` (ssh skips ${skipped.join('; ')})` : '')
  );
}
