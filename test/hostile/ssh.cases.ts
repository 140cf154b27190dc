// Hostile SSH inputs: hosts, users, ports and proxy-jump hops that would become ssh options, shell text
// or %-tokens; known_hosts variants; keys. Every row either ends in a clear error before any connection
// or is verified by real ssh against real sshd servers (test/remote/sshd.ts). Driven by ssh.test.ts.
import { createHmac, randomBytes } from 'node:crypto';
import type { KnownHostStatus } from '../../src/remote/known-hosts.js';
import type { SshFailureKind } from '../../src/remote/ssh.js';
import type { SshdFixture } from '../remote/sshd.js';

/** A config whose production environment gets `env` lines (hosts/ssh may be overridden). */
export const configWith = (env: string, hosts = '    hosts: [10.0.0.11]\n') =>
  `app: parking\nimage: registry.example.com/acme/parking-web\nenvironments:\n  production:\n${hosts}    app-dir: /opt/parking\n${env}`;
const P = 'environments.production';

/** A syntactically valid ed25519 public key (no one holds its private half). */
export const SOME_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGOa88Jk1cE96wXXovcynFaz+6pL9rXGTgbPk4ga4RZ8';
/** `ssh-keygen -H` for a name, with a fresh salt. */
export const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

/** The config file is refused: the key (path) and why. */
interface ConfigRefused {
  name: string;
  kind: 'config';
  yaml: string;
  path: string;
  message: RegExp;
}
/** The config file loads, and the hosts / jump hosts are exactly these. */
interface ConfigAccepted {
  name: string;
  kind: 'config-ok';
  yaml: string;
  hosts?: { id: string; host: string; port: number; user: string }[];
  jumpHosts?: { id: string; host: string; port: number; user: string }[];
}
/** The pre-check's verdict on known-hosts text for one host (as ssh would judge it). */
interface KnownHostsRow {
  name: string;
  kind: 'known-hosts';
  knownHosts: string;
  host: string;
  port: number;
  status: KnownHostStatus;
}
/** The deploy action, run as the runner runs it, fails with this error and never starts ssh. */
interface ActionRefused {
  name: string;
  kind: 'action';
  yaml: string;
  inputs: (keys: { valid: string; withPassphrase: string }) => Record<string, string>;
  error: RegExp;
}
/** Real ssh against real sshd: connect to the target (directly or through the jump host). */
interface Verified {
  name: string;
  kind: 'verify';
  via: 'direct' | 'jump';
  knownHosts: (f: SshdFixture) => string;
  /** Ports/users to use instead of the fixture's (a closed port, an unknown user). */
  target?: (f: SshdFixture) => { port?: number; user?: string };
  hop?: (f: SshdFixture) => { port?: number; user?: string };
  /** undefined: the connection works and a command runs. */
  fails?: { kind: SshFailureKind; atJump: boolean; message: (f: SshdFixture) => RegExp };
}

export type Case = ConfigRefused | ConfigAccepted | KnownHostsRow | ActionRefused | Verified;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hostLine = (f: SshdFixture, which: 'target' | 'jump', key = f[which].hostKey.pub) => `[127.0.0.1]:${f[which].port} ${key}`;

export const cases: Case[] = [
  // ---- host strings ---------------------------------------------------------------------------
  { name: 'host that is an ssh option', kind: 'config', yaml: configWith('', '    hosts: ["-oProxyCommand=touch /tmp/pwned"]\n'), path: `${P}.hosts[0]`, message: /a leading "-" would make it an ssh option/ },
  { name: 'host "-p2222"', kind: 'config', yaml: configWith('', '    hosts: ["-p2222"]\n'), path: `${P}.hosts[0]`, message: /a leading "-" would make it an ssh option/ },
  { name: 'host with a space and an option after it', kind: 'config', yaml: configWith('', '    hosts: ["10.0.0.11 -p 22"]\n'), path: `${P}.hosts[0]`, message: /a space or a control character/ },
  { name: 'host with a newline and an option after it', kind: 'config', yaml: configWith('', '    hosts: ["10.0.0.11\\n-oProxyCommand=id"]\n'), path: `${P}.hosts[0]`, message: /a line break/ },
  { name: 'host with a tab', kind: 'config', yaml: configWith('', '    hosts: ["10.0.0.11\\t"]\n'), path: `${P}.hosts[0]`, message: /a space or a control character/ },
  { name: 'host with a %h token', kind: 'config', yaml: configWith('', '    hosts: ["app%h.example.com"]\n'), path: `${P}.hosts[0]`, message: /ssh would expand "%" tokens/ },
  { name: 'IPv6 host with a %zone', kind: 'config', yaml: configWith('', '    hosts: ["[fe80::1%eth0]:22"]\n'), path: `${P}.hosts[0]`, message: /ssh would expand "%" tokens/ },
  { name: 'user@ inside a host string', kind: 'config', yaml: configWith('', '    hosts: ["root@10.0.0.11"]\n'), path: `${P}.hosts[0]`, message: /put the user in \{host, port, user\} or ssh\.user/ },
  { name: 'host with two ports', kind: 'config', yaml: configWith('', '    hosts: ["10.0.0.11:22:2222"]\n'), path: `${P}.hosts[0]`, message: /^expected "host", "host:port" or \{host, port, user\}/ },
  { name: 'host port 0', kind: 'config', yaml: configWith('', '    hosts: ["10.0.0.11:0"]\n'), path: `${P}.hosts[0]`, message: /expected a port number from 1 to 65535 after ":"/ },
  { name: 'host port with a sign', kind: 'config', yaml: configWith('', '    hosts: ["10.0.0.11:+22"]\n'), path: `${P}.hosts[0]`, message: /expected a port number from 1 to 65535 after ":"/ },
  { name: 'bracketed text that is not IPv6', kind: 'config', yaml: configWith('', '    hosts: ["[::g]:22"]\n'), path: `${P}.hosts[0]`, message: /^expected "host", "host:port"/ },
  { name: 'host that is only digits (inet_aton would read it as an address)', kind: 'config', yaml: configWith('', '    hosts: ["2130706433"]\n'), path: `${P}.hosts[0]`, message: /^expected "host", "host:port"/ },
  { name: 'empty host string', kind: 'config', yaml: configWith('', '    hosts: [""]\n'), path: `${P}.hosts[0]`, message: /it is empty/ },
  // ---- host maps, users, ports ----------------------------------------------------------------
  { name: 'host map: host is an option', kind: 'config', yaml: configWith('', '    hosts:\n      - {host: "-oProxyCommand=id"}\n'), path: `${P}.hosts[0].host`, message: /^expected a host name or IP address: a leading "-"/ },
  { name: 'host map: host with a space', kind: 'config', yaml: configWith('', '    hosts:\n      - {host: "app1 -v"}\n'), path: `${P}.hosts[0].host`, message: /a space or a control character/ },
  { name: 'host map: user is an option', kind: 'config', yaml: configWith('', '    hosts:\n      - {host: 10.0.0.11, user: "-oProxyCommand=id"}\n'), path: `${P}.hosts[0].user`, message: /^expected a user name .*: a leading "-" would make it an ssh option/ },
  { name: 'host map: user with a newline', kind: 'config', yaml: configWith('', '    hosts:\n      - {host: 10.0.0.11, user: "deployer\\nroot"}\n'), path: `${P}.hosts[0].user`, message: /a line break/ },
  { name: 'host map: user with a %u token', kind: 'config', yaml: configWith('', '    hosts:\n      - {host: 10.0.0.11, user: "%u"}\n'), path: `${P}.hosts[0].user`, message: /ssh would expand "%" tokens/ },
  { name: 'host map: port as text', kind: 'config', yaml: configWith('', '    hosts:\n      - {host: 10.0.0.11, port: "22 -v"}\n'), path: `${P}.hosts[0].port`, message: /expected a port number from 1 to 65535/ },
  { name: 'ssh.user is an option', kind: 'config', yaml: configWith('    ssh: {user: "-oProxyCommand=id"}\n'), path: `${P}.ssh.user`, message: /a leading "-" would make it an ssh option/ },
  { name: 'ssh.user with a leading space', kind: 'config', yaml: configWith('    ssh: {user: " deployer"}\n'), path: `${P}.ssh.user`, message: /a space or a control character/ },
  { name: 'ssh.port negative', kind: 'config', yaml: configWith('    ssh: {port: -22}\n'), path: `${P}.ssh.port`, message: /expected a port number from 1 to 65535/ },
  { name: 'ssh.port fractional', kind: 'config', yaml: configWith('    ssh: {port: 22.5}\n'), path: `${P}.ssh.port`, message: /expected a port number from 1 to 65535/ },
  // ---- proxy-jump -----------------------------------------------------------------------------
  { name: 'proxy-jump that is an ssh option', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "-oProxyCommand=touch /tmp/pwned"}\n'), path: `${P}.ssh.proxy-jump`, message: /^expected \[user@\]host\[:port\].*: a leading "-" would make it an ssh option/ },
  { name: 'proxy-jump with a space and an option', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "bastion -oProxyCommand=id"}\n'), path: `${P}.ssh.proxy-jump`, message: /a space or a control character/ },
  { name: 'proxy-jump: a second hop after a newline', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "bastion,\\n-oProxyCommand=id"}\n'), path: `${P}.ssh.proxy-jump`, message: /a line break \(hop 2 of 2: "\\n-oProxyCommand=id"\)/ },
  { name: 'proxy-jump with %h (ssh expands it in the hop command)', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "%h.example.com"}\n'), path: `${P}.ssh.proxy-jump`, message: /ssh would expand "%" tokens/ },
  { name: 'proxy-jump user that is an option', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "-l@bastion"}\n'), path: `${P}.ssh.proxy-jump`, message: /a leading "-" would make it an ssh option/ },
  { name: 'proxy-jump user with shell text', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "$(id)@bastion"}\n'), path: `${P}.ssh.proxy-jump`, message: /the user "\$\(id\)" is not a user name/ },
  { name: 'proxy-jump shell text after the host (ssh pastes hops into a shell command)', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "bastion;touch${IFS}/tmp/pwned"}\n'), path: `${P}.ssh.proxy-jump`, message: /^expected \[user@\]host\[:port\] \(several hops separated by ","\), got "bastion;touch/ },
  { name: 'proxy-jump port 0', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "deployer@bastion:0"}\n'), path: `${P}.ssh.proxy-jump`, message: /expected a port number from 1 to 65535 after ":"/ },
  { name: 'proxy-jump port 65536', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "deployer@bastion:65536"}\n'), path: `${P}.ssh.proxy-jump`, message: /expected a port number from 1 to 65535 after ":"/ },
  { name: 'proxy-jump empty hop', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "bastion,,app"}\n'), path: `${P}.ssh.proxy-jump`, message: /it is empty \(hop 2 of 3: ""\)/ },
  { name: 'proxy-jump as an ssh:// URI', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "ssh://deployer@bastion:22"}\n'), path: `${P}.ssh.proxy-jump`, message: /^expected \[user@\]host\[:port\]/ },
  { name: 'proxy-jump with two @', kind: 'config', yaml: configWith('    ssh: {proxy-jump: "a@b@bastion"}\n'), path: `${P}.ssh.proxy-jump`, message: /^expected \[user@\]host\[:port\]/ },
  { name: 'proxy-jump as a number', kind: 'config', yaml: configWith('    ssh: {proxy-jump: 22}\n'), path: `${P}.ssh.proxy-jump`, message: /^expected \[user@\]host\[:port\] \(several hops separated by ","\), got 22$/ },
  // ---- accepted spellings, parsed once ---------------------------------------------------------
  {
    name: 'IPv6 hosts: bracketed string and bare map value are one spelling',
    kind: 'config-ok',
    yaml: configWith('', '    hosts:\n      - "[2001:DB8::1]:2222"\n      - {host: "2001:db8::2"}\n'),
    hosts: [
      { id: '[2001:db8::1]:2222', host: '[2001:db8::1]', port: 2222, user: 'root' },
      { id: '[2001:db8::2]', host: '[2001:db8::2]', port: 22, user: 'root' },
    ],
  },
  {
    name: 'proxy-jump hops: the user defaults to ssh.user and the port to 22, in order',
    kind: 'config-ok',
    yaml: configWith('    ssh: {user: deployer, port: 2200, proxy-jump: "Bastion.example.com,ops@[2001:db8::9]:2222"}\n'),
    hosts: [{ id: '10.0.0.11:2200', host: '10.0.0.11', port: 2200, user: 'deployer' }],
    jumpHosts: [
      { id: 'bastion.example.com', host: 'bastion.example.com', port: 22, user: 'deployer' },
      { id: '[2001:db8::9]:2222', host: '[2001:db8::9]', port: 2222, user: 'ops' },
    ],
  },
  // ---- known_hosts: the pre-check judges as ssh does ---------------------------------------------
  { name: 'known_hosts: plain line', kind: 'known-hosts', knownHosts: `10.0.0.11 ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'key' },
  { name: 'known_hosts: a [host]:2222 line does not cover port 22', kind: 'known-hosts', knownHosts: `[10.0.0.11]:2222 ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: a port-22 line does not cover port 2222', kind: 'known-hosts', knownHosts: `10.0.0.11 ${SOME_KEY}\n`, host: '10.0.0.11', port: 2222, status: 'unknown' },
  { name: 'known_hosts: hashed [host]:port entry', kind: 'known-hosts', knownHosts: `${hashed('[10.0.0.11]:2222')} ${SOME_KEY}\n`, host: '10.0.0.11', port: 2222, status: 'key' },
  { name: 'known_hosts: hashed entry for another host', kind: 'known-hosts', knownHosts: `${hashed('10.0.0.12')} ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: only a @revoked key', kind: 'known-hosts', knownHosts: `@revoked 10.0.0.11 ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'revoked-only' },
  { name: 'known_hosts: @revoked beside a plain key', kind: 'known-hosts', knownHosts: `@revoked 10.0.0.11 ${SOME_KEY}\n10.0.0.11 ${SOME_KEY.replace('GOa', 'GOb')}\n`, host: '10.0.0.11', port: 22, status: 'key' },
  { name: 'known_hosts: @cert-authority for the domain', kind: 'known-hosts', knownHosts: `@cert-authority *.example.com ${SOME_KEY}\n`, host: 'app1.example.com', port: 22, status: 'cert-authority' },
  { name: 'known_hosts: @cert-authority for another domain', kind: 'known-hosts', knownHosts: `@cert-authority *.example.org ${SOME_KEY}\n`, host: 'app1.example.com', port: 22, status: 'unknown' },
  { name: 'known_hosts: a negated pattern takes the host out of a wildcard line', kind: 'known-hosts', knownHosts: `10.0.0.*,!10.0.0.11 ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: ...and leaves the other hosts in', kind: 'known-hosts', knownHosts: `10.0.0.*,!10.0.0.11 ${SOME_KEY}\n`, host: '10.0.0.12', port: 22, status: 'key' },
  { name: 'known_hosts: a negated pattern alone matches nothing', kind: 'known-hosts', knownHosts: `!10.0.0.12 ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: "?" wildcard', kind: 'known-hosts', knownHosts: `10.0.0.1? ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'key' },
  { name: 'known_hosts: patterns are case-insensitive', kind: 'known-hosts', knownHosts: `APP1.Example.COM ${SOME_KEY}\n`, host: 'app1.example.com', port: 22, status: 'key' },
  { name: 'known_hosts: unknown marker (ssh skips the line)', kind: 'known-hosts', knownHosts: `@trusted 10.0.0.11 ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: unknown key type (ssh skips the line)', kind: 'known-hosts', knownHosts: '10.0.0.11 ssh-foo AAAAB3NzaC1yc2E\n', host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: a line without its key', kind: 'known-hosts', knownHosts: '10.0.0.11 ssh-ed25519\n', host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: a commented-out line', kind: 'known-hosts', knownHosts: `# 10.0.0.11 ${SOME_KEY}\n`, host: '10.0.0.11', port: 22, status: 'unknown' },
  { name: 'known_hosts: CRLF line endings from a pasted secret', kind: 'known-hosts', knownHosts: `10.0.0.12 ${SOME_KEY}\r\n10.0.0.11 ${SOME_KEY}\r\n`, host: '10.0.0.11', port: 22, status: 'key' },
  // ---- through the deploy action: refused before ssh ever starts ---------------------------------
  { name: 'action: a public key given as ssh-private-key', kind: 'action', yaml: configWith(''), inputs: () => ({ 'ssh-private-key': SOME_KEY, 'known-hosts': `10.0.0.11 ${SOME_KEY}` }), error: /input "ssh-private-key" does not look like a private key/ },
  { name: 'action: a private key with a passphrase', kind: 'action', yaml: configWith(''), inputs: (k) => ({ 'ssh-private-key': k.withPassphrase, 'known-hosts': `10.0.0.11 ${SOME_KEY}` }), error: /input "ssh-private-key" is protected by a passphrase/ },
  {
    name: 'action: a private key cut in the middle',
    kind: 'action',
    yaml: configWith(''),
    inputs: (k) => ({ 'ssh-private-key': k.valid.split('\n').filter((_, i) => i !== 2).join('\n'), 'known-hosts': `10.0.0.11 ${SOME_KEY}` }),
    error: /input "ssh-private-key" is not a private key ssh can load/,
  },
  { name: 'action: a host known only by a @revoked key', kind: 'action', yaml: configWith(''), inputs: (k) => ({ 'ssh-private-key': k.valid, 'known-hosts': `@revoked 10.0.0.11 ${SOME_KEY}` }), error: /known-hosts has only @revoked keys for 10\.0\.0\.11; nothing was run/ },
  {
    name: 'action: the jump host missing from known-hosts',
    kind: 'action',
    yaml: configWith('    ssh: {user: deployer, proxy-jump: "bastion.example.com:2222"}\n'),
    inputs: (k) => ({ 'ssh-private-key': k.valid, 'known-hosts': `10.0.0.11 ${SOME_KEY}` }),
    error: /known-hosts has no line for jump host bastion\.example\.com:2222; nothing was run\..*\(ssh looks up bastion\.example\.com:2222 as \[bastion\.example\.com\]:2222\)/,
  },
  {
    name: 'action: a negated pattern leaves the host unknown',
    kind: 'action',
    yaml: configWith(''),
    inputs: (k) => ({ 'ssh-private-key': k.valid, 'known-hosts': `10.0.0.*,!10.0.0.11 ${SOME_KEY}` }),
    error: /known-hosts has no line for 10\.0\.0\.11; nothing was run/,
  },
  { name: 'action: proxy-jump option injection stops at the config', kind: 'action', yaml: configWith('    ssh: {proxy-jump: "-oProxyCommand=touch${IFS}/tmp/pwned"}\n'), inputs: (k) => ({ 'ssh-private-key': k.valid, 'known-hosts': `10.0.0.11 ${SOME_KEY}` }), error: /ssh\.proxy-jump.*a leading "-" would make it an ssh option/ },
  // ---- real ssh, real sshd: what ssh accepts and how it is reported --------------------------------
  { name: 'verify: plain line, direct', kind: 'verify', via: 'direct', knownHosts: (f) => hostLine(f, 'target') },
  { name: 'verify: hashed line, direct', kind: 'verify', via: 'direct', knownHosts: (f) => `${hashed(`[127.0.0.1]:${f.target.port}`)} ${f.target.hostKey.pub}` },
  { name: 'verify: wrong key, direct: CHANGED with the presented fingerprint', kind: 'verify', via: 'direct', knownHosts: (f) => hostLine(f, 'target', f.stranger.pub), fails: { kind: 'host-key-changed', atJump: false, message: (f) => new RegExp(`^127\\.0\\.0\\.1:${f.target.port}: host key CHANGED — it presented ssh-ed25519 ${esc(f.target.hostKey.fingerprint)}`) } },
  { name: 'verify: the right key marked @revoked, direct', kind: 'verify', via: 'direct', knownHosts: (f) => `@revoked [127.0.0.1]:${f.target.port} ${f.target.hostKey.pub}\n${hostLine(f, 'target')}`, fails: { kind: 'host-key-revoked', atJump: false, message: (f) => new RegExp(`presented ssh-ed25519 ${esc(f.target.hostKey.fingerprint)}, a key known-hosts marks @revoked`) } },
  { name: 'verify: a negated pattern, direct: ssh agrees the host is unknown', kind: 'verify', via: 'direct', knownHosts: (f) => `[127.0.0.1]:*,![127.0.0.1]:${f.target.port} ${f.target.hostKey.pub}`, fails: { kind: 'host-key-unknown', atJump: false, message: (f) => new RegExp(`host key not in known-hosts \\(it presented ssh-ed25519 ${esc(f.target.hostKey.fingerprint)}\\)`) } },
  { name: 'verify: only a @cert-authority, and the host has no certificate', kind: 'verify', via: 'direct', knownHosts: (f) => `@cert-authority [127.0.0.1]:${f.target.port} ${f.ca.pub}`, fails: { kind: 'host-key-unknown', atJump: false, message: () => /known-hosts trusts only a @cert-authority for it/ } },
  { name: 'verify: through the jump host, both plain lines', kind: 'verify', via: 'jump', knownHosts: (f) => `${hostLine(f, 'target')}\n${hostLine(f, 'jump')}` },
  { name: 'verify: through the jump host, jump host trusted by its @cert-authority', kind: 'verify', via: 'jump', knownHosts: (f) => `${hostLine(f, 'target')}\n@cert-authority [127.0.0.1]:${f.jump.port} ${f.ca.pub}` },
  { name: 'verify: through the jump host, hashed jump host line', kind: 'verify', via: 'jump', knownHosts: (f) => `${hostLine(f, 'target')}\n${hashed(`[127.0.0.1]:${f.jump.port}`)} ${f.jump.hostKey.pub}` },
  {
    name: 'verify: wrong jump host key: refused at the jump host, named with its fingerprint',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => `${hostLine(f, 'target')}\n${hostLine(f, 'jump', f.stranger.pub)}`,
    fails: { kind: 'host-key-changed', atJump: true, message: (f) => new RegExp(`^127\\.0\\.0\\.1:${f.target.port}: jump host deployer@127\\.0\\.0\\.1:${f.jump.port}: host key CHANGED — it presented ssh-ed25519 ${esc(f.jump.hostKey.fingerprint)} \\(in a host certificate\\), .*ssh-keyscan -p ${f.jump.port} 127\\.0\\.0\\.1`) },
  },
  {
    name: 'verify: jump host missing: the hop does not fall back to ~/.ssh/known_hosts or ask',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => hostLine(f, 'target'),
    fails: { kind: 'host-key-unknown', atJump: true, message: (f) => new RegExp(`jump host deployer@127\\.0\\.0\\.1:${f.jump.port}: host key not in known-hosts`) },
  },
  {
    name: 'verify: jump host @cert-authority of another CA',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => `${hostLine(f, 'target')}\n@cert-authority [127.0.0.1]:${f.jump.port} ${f.otherCa.pub}`,
    fails: { kind: 'host-key-unknown', atJump: true, message: () => /jump host .*known-hosts trusts only a @cert-authority for it/ },
  },
  {
    name: 'verify: jump host key marked @revoked',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => `${hostLine(f, 'target')}\n${hostLine(f, 'jump')}\n@revoked [127.0.0.1]:${f.jump.port} ${f.jump.hostKey.pub}`,
    fails: { kind: 'host-key-revoked', atJump: true, message: (f) => new RegExp(`jump host deployer@127\\.0\\.0\\.1:${f.jump.port}: presented ssh-ed25519 ${esc(f.jump.hostKey.fingerprint)} \\(in a host certificate\\), a key known-hosts marks @revoked`) },
  },
  {
    name: 'verify: wrong target key behind the jump host',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => `${hostLine(f, 'target', f.stranger.pub)}\n${hostLine(f, 'jump')}`,
    fails: { kind: 'host-key-changed', atJump: false, message: (f) => new RegExp(`\\(through jump host deployer@127\\.0\\.0\\.1:${f.jump.port}\\): host key CHANGED — it presented ssh-ed25519 ${esc(f.target.hostKey.fingerprint)}`) },
  },
  {
    name: 'verify: the jump host refuses the user',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => `${hostLine(f, 'target')}\n${hostLine(f, 'jump')}`,
    hop: () => ({ user: 'nobody' }),
    fails: { kind: 'auth', atJump: true, message: (f) => new RegExp(`jump host nobody@127\\.0\\.0\\.1:${f.jump.port} refused the key \\(Permission denied\\)`) },
  },
  {
    name: 'verify: the jump host is not listening',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => `${hostLine(f, 'target')}\n[127.0.0.1]:1 ${f.jump.hostKey.pub}`,
    hop: () => ({ port: 1 }),
    fails: { kind: 'unreachable', atJump: true, message: () => /cannot connect to jump host deployer@127\.0\.0\.1:1 \(Connection refused\)/ },
  },
  {
    name: 'verify: the jump host cannot reach the host (not "UNKNOWN port 65535")',
    kind: 'verify',
    via: 'jump',
    knownHosts: (f) => `[127.0.0.1]:1 ${f.target.hostKey.pub}\n${hostLine(f, 'jump')}`,
    target: () => ({ port: 1 }),
    fails: { kind: 'unreachable', atJump: true, message: (f) => new RegExp(`^127\\.0\\.0\\.1:1: jump host deployer@127\\.0\\.0\\.1:${f.jump.port} could not open a connection to 127\\.0\\.0\\.1 port 1 \\(Connection refused\\)`) },
  },
];
