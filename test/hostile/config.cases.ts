// Hostile config files: every row is a `.github/parking-ci.yml` that must be refused with a clear
// problem (the key path, what is wrong, the line and column), or, where a row says `accepted`, read
// correctly although it looks dangerous. config.test.ts reads each one from a workspace through the
// loader and runs the plan action on it through the runner harness.
import { CASES as INVALID_CASES, HEAD, withEnv } from '../config/invalid-cases.js';

/** Planted in files that are not configs: it must never appear in any output. */
export const CANARY = 'canary-3f9c1d7e-not-for-any-log';

export interface ConfigCase {
  name: string;
  /** The file, as text or as raw bytes. */
  yaml: string | Buffer;
  /** The key path of the problem ('' for the file as a whole). */
  path?: string;
  message?: string | RegExp;
  line?: number;
  column?: number;
  /** The file is valid: these environments come out of it. */
  accepted?: string[];
}

const ENV = 'environments.production';
const TAIL = '    hosts: [10.0.0.11]\n    app-dir: /opt/parking\n';
const DURATION_RANGE = (from: string, to: string, got: string) => `expected a duration from ${from} to ${to}, got ${JSON.stringify(got)}`;
/** A config whose `production` environment ends with `lines` (from line 7 on). */
const env = (lines: string) => withEnv(lines);
/** A config with one more environment named `name`, starting at line 7. */
const named = (name: string) => `${HEAD}${TAIL}  ${name}:\n    hosts: [10.0.0.21]\n    app-dir: /opt/parking\n`;
const deepFlow = (open: string, close: string, n: number) => `${open.repeat(n)}${close.repeat(n)}\n`;
const deepBlock = (n: number) => `${HEAD}${TAIL}x-deep:\n${Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 1)}k:`).join('\n')} 1\n`;

const durations: ConfigCase[] = [
  { name: 'drain of 600h (over 2^31-1 ms, would drain for 1 ms)', yaml: env('    drain: 600h\n'), path: `${ENV}.drain`, line: 7, column: 12, message: DURATION_RANGE('0ms', '1h', '600h') },
  { name: 'drain just over the 2^31-1 ms timer limit (597h)', yaml: env('    drain: 597h\n'), path: `${ENV}.drain`, line: 7, column: 12, message: DURATION_RANGE('0ms', '1h', '597h') },
  { name: 'drain of 1h1ms, just over its range', yaml: env('    drain: 1h1ms\n'), path: `${ENV}.drain`, line: 7, column: 12, message: DURATION_RANGE('0ms', '1h', '1h1ms') },
  { name: 'drain with a 400-digit number (infinity)', yaml: env(`    drain: ${'9'.repeat(400)}s\n`), path: `${ENV}.drain`, line: 7, column: 12, message: /^expected a duration from 0ms to 1h, got "9{50,}/ },
  { name: 'drain as a plain number of milliseconds', yaml: env('    drain: 5000\n'), path: `${ENV}.drain`, line: 7, column: 12, message: 'expected a duration like "500ms", "5s" or "2m", got 5000' },
  { name: 'drain negative', yaml: env('    drain: -5s\n'), path: `${ENV}.drain`, line: 7, column: 12, message: 'expected a duration like "500ms", "5s" or "2m", got "-5s"' },
  { name: 'drain in days', yaml: env('    drain: 1d\n'), path: `${ENV}.drain`, line: 7, column: 12, message: 'expected a duration like "500ms", "5s" or "2m", got "1d"' },
  { name: 'drain in exponent notation', yaml: env('    drain: 1e3s\n'), path: `${ENV}.drain`, line: 7, column: 12, message: 'expected a duration like "500ms", "5s" or "2m", got "1e3s"' },
  { name: 'migrate.timeout of 600h (would kill the migration at once)', yaml: env('    migrate: {command: python manage.py migrate, timeout: 600h}\n'), path: `${ENV}.migrate.timeout`, line: 7, column: 59, message: DURATION_RANGE('1s', '24h', '600h') },
  { name: 'migrate.timeout of 25h', yaml: env('    migrate:\n      command: python manage.py migrate\n      timeout: 25h\n'), path: `${ENV}.migrate.timeout`, line: 9, column: 16, message: DURATION_RANGE('1s', '24h', '25h') },
  { name: 'migrate.timeout of zero', yaml: env('    migrate:\n      command: python manage.py migrate\n      timeout: 0s\n'), path: `${ENV}.migrate.timeout`, line: 9, column: 16, message: DURATION_RANGE('1s', '24h', '0s') },
  { name: 'health.timeout infinite (one try only)', yaml: env(`    health:\n      timeout: ${'9'.repeat(330)}h\n`), path: `${ENV}.health.timeout`, line: 8, column: 16, message: /^expected a duration from 1s to 1h, got "9+\.\.\."$/ },
  { name: 'health.timeout of 600h', yaml: env('    health: {timeout: 600h}\n'), path: `${ENV}.health.timeout`, line: 7, column: 23, message: DURATION_RANGE('1s', '1h', '600h') },
  { name: 'health.timeout of zero', yaml: env('    health: {timeout: 0ms, interval: 0ms}\n'), path: `${ENV}.health.timeout`, line: 7, column: 23, message: DURATION_RANGE('1s', '1h', '0ms') },
  { name: 'health.interval of zero (a busy loop)', yaml: env('    health: {interval: 0ms}\n'), path: `${ENV}.health.interval`, line: 7, column: 24, message: DURATION_RANGE('100ms', '1m', '0ms') },
  { name: 'health.interval of 10ms', yaml: env('    health: {interval: 10ms}\n'), path: `${ENV}.health.interval`, line: 7, column: 24, message: DURATION_RANGE('100ms', '1m', '10ms') },
  { name: 'health.interval of 600h', yaml: env('    health: {interval: 600h}\n'), path: `${ENV}.health.interval`, line: 7, column: 24, message: DURATION_RANGE('100ms', '1m', '600h') },
  { name: 'a duration written as a list', yaml: env('    drain: [5s]\n'), path: `${ENV}.drain`, line: 7, column: 12, message: 'expected a duration like "500ms", "5s" or "2m", got a list' },
];

const numbers: ConfigCase[] = [
  { name: 'keep-releases of 1', yaml: env('    keep-releases: 1\n'), path: `${ENV}.keep-releases`, line: 7, column: 20, message: 'expected a whole number of releases from 2 to 100, got 1' },
  { name: 'keep-releases of 101', yaml: env('    keep-releases: 101\n'), path: `${ENV}.keep-releases`, line: 7, column: 20, message: 'expected a whole number of releases from 2 to 100, got 101' },
  { name: 'keep-releases of 1e308', yaml: env('    keep-releases: 1e308\n'), path: `${ENV}.keep-releases`, line: 7, column: 20, message: 'expected a whole number of releases from 2 to 100, got 1e+308' },
  { name: 'keep-releases of .inf', yaml: env('    keep-releases: .inf\n'), path: `${ENV}.keep-releases`, line: 7, column: 20, message: 'expected a whole number of releases from 2 to 100, got .inf (infinity)' },
  { name: 'keep-releases of .nan', yaml: env('    keep-releases: .nan\n'), path: `${ENV}.keep-releases`, line: 7, column: 20, message: 'expected a whole number of releases from 2 to 100, got .nan (not a number)' },
  { name: 'keep-releases of 2.5', yaml: env('    keep-releases: 2.5\n'), path: `${ENV}.keep-releases`, line: 7, column: 20, message: 'expected a whole number of releases from 2 to 100, got 2.5' },
  { name: 'keep-releases as a string', yaml: env('    keep-releases: "5"\n'), path: `${ENV}.keep-releases`, line: 7, column: 20, message: 'expected a whole number of releases from 2 to 100, got "5"' },
  { name: 'batch-size of 1001', yaml: env('    batch-size: 1001\n'), path: `${ENV}.batch-size`, line: 7, column: 17, message: 'expected a number of hosts from 1 to 1000 or a percentage like "50%", got 1001' },
  { name: 'batch-size of 1e18', yaml: env('    batch-size: 1e18\n'), path: `${ENV}.batch-size`, line: 7, column: 17, message: 'expected a number of hosts from 1 to 1000 or a percentage like "50%", got 1000000000000000000' },
  { name: 'batch-size of .inf', yaml: env('    batch-size: .inf\n'), path: `${ENV}.batch-size`, line: 7, column: 17, message: /^expected a number or a percentage like "50%", got \.inf/ },
  { name: 'batch-size of 0%', yaml: env('    batch-size: 0%\n'), path: `${ENV}.batch-size`, line: 7, column: 17, message: 'expected a number or a percentage like "50%", got "0%"' },
  { name: 'max-failed-hosts of 1001', yaml: env('    max-failed-hosts: 1001\n'), path: `${ENV}.max-failed-hosts`, line: 7, column: 23, message: 'expected a whole number of hosts from 0 to 1000, got 1001' },
  { name: 'max-failed-hosts of .inf', yaml: env('    max-failed-hosts: .inf\n'), path: `${ENV}.max-failed-hosts`, line: 7, column: 23, message: 'expected a whole number of hosts from 0 to 1000, got .inf (infinity)' },
  { name: 'max-failed-hosts of 0.5', yaml: env('    max-failed-hosts: 0.5\n'), path: `${ENV}.max-failed-hosts`, line: 7, column: 23, message: 'expected a whole number of hosts from 0 to 1000, got 0.5' },
  { name: 'ssh.port of 65536', yaml: env('    ssh: {port: 65536}\n'), path: `${ENV}.ssh.port`, line: 7, column: 17, message: 'expected a port number from 1 to 65535, got 65536' },
  { name: 'ssh.port of 1e10', yaml: env('    ssh: {port: 1e10}\n'), path: `${ENV}.ssh.port`, line: 7, column: 17, message: 'expected a port number from 1 to 65535, got 10000000000' },
  { name: 'ssh.port negative', yaml: env('    ssh: {port: -22}\n'), path: `${ENV}.ssh.port`, line: 7, column: 17, message: 'expected a port number from 1 to 65535, got -22' },
  { name: 'ssh.port in hex', yaml: env('    ssh: {port: 0x16}\n'), accepted: ['production'] },
  { name: 'health.port of 0', yaml: env('    health: {port: 0}\n'), path: `${ENV}.health.port`, line: 7, column: 20, message: 'expected a port number from 1 to 65535, got 0' },
  { name: 'health.port of .inf', yaml: env('    health: {port: .inf}\n'), path: `${ENV}.health.port`, line: 7, column: 20, message: 'expected a port number from 1 to 65535, got .inf (infinity)' },
  { name: 'host map port of 99999', yaml: `${HEAD}    hosts: [{host: 10.0.0.11, port: 99999}]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts[0].port`, line: 5, column: 37, message: 'expected a port number from 1 to 65535, got 99999' },
  { name: 'host string port with 20 digits', yaml: `${HEAD}    hosts: ["10.0.0.11:${'9'.repeat(20)}"]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts[0]`, line: 5, column: 13, message: /^expected a port number from 1 to 65535 after ":"/ },
  { name: 'expect-status of 1e3', yaml: env('    health: {expect-status: 1e3}\n'), path: `${ENV}.health.expect-status`, line: 7, column: 29, message: 'expected an HTTP status code, got 1000' },
  { name: 'failure-threshold of 0', yaml: env('    health: {failure-threshold: 0}\n'), path: `${ENV}.health.failure-threshold`, line: 7, column: 33, message: 'expected a whole number of answers from 1 to 1000, got 0' },
  { name: 'failure-threshold of 2.5', yaml: env('    health: {failure-threshold: 2.5}\n'), path: `${ENV}.health.failure-threshold`, line: 7, column: 33, message: 'expected a whole number of answers from 1 to 1000, got 2.5' },
  { name: 'failure-threshold as a string', yaml: env('    health: {failure-threshold: "3"}\n'), path: `${ENV}.health.failure-threshold`, line: 7, column: 33, message: /^expected a whole number of answers from 1 to 1000/ },
  { name: 'failure-threshold misspelt', yaml: env('    health: {failure-treshold: 3}\n'), path: `${ENV}.health.failure-treshold`, line: 7, column: 14, message: 'unknown key (did you mean "failure-threshold"?); keys starting with "x-" are ignored if you need your own' },
  { name: 'more than 1000 hosts', yaml: `${HEAD}    hosts: [${Array.from({ length: 1001 }, (_, i) => `"10.${Math.floor(i / 250)}.${i % 250}.1"`).join(', ')}]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts`, line: 5, column: 12, message: 'expected at most 1000 hosts, got a list' },
];

const prototypeKeys: ConfigCase[] = [
  { name: 'an environment named __proto__', yaml: named('__proto__'), path: 'environments.__proto__', line: 7, column: 3, message: 'the key "__proto__" is reserved (it cannot be read safely); rename it' },
  { name: 'an environment named "__proto__" in quotes', yaml: named('"__proto__"'), path: 'environments.__proto__', line: 7, column: 3, message: 'the key "__proto__" is reserved (it cannot be read safely); rename it' },
  { name: 'an environment named constructor', yaml: named('constructor'), accepted: ['production', 'constructor'] },
  { name: 'an environment named toString', yaml: named('toString'), accepted: ['production', 'toString'] },
  { name: 'an environment named hasOwnProperty', yaml: named('hasOwnProperty'), accepted: ['production', 'hasOwnProperty'] },
  { name: 'an environment named valueOf', yaml: named('valueOf'), accepted: ['production', 'valueOf'] },
  { name: 'an environment named prototype', yaml: named('prototype'), accepted: ['production', 'prototype'] },
  { name: '__proto__ at the top level', yaml: `${HEAD}${TAIL}__proto__: {app: other}\n`, path: '__proto__', line: 7, column: 1, message: 'the key "__proto__" is reserved (it cannot be read safely); rename it' },
  { name: '__proto__ inside an environment', yaml: env('    __proto__: {strategy: blue-green}\n'), path: `${ENV}.__proto__`, line: 7, column: 5, message: 'the key "__proto__" is reserved (it cannot be read safely); rename it' },
  { name: '__proto__ inside health', yaml: env('    health:\n      __proto__: {port: 1}\n'), path: `${ENV}.health.__proto__`, line: 8, column: 7, message: 'the key "__proto__" is reserved (it cannot be read safely); rename it' },
  { name: '__proto__ inside a host map', yaml: `${HEAD}    hosts: [{host: 10.0.0.11, __proto__: {port: 2}}]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts[0].__proto__`, line: 5, column: 31, message: 'the key "__proto__" is reserved (it cannot be read safely); rename it' },
  { name: '__proto__ merged in from an x- anchor', yaml: `x-evil: &evil\n  __proto__: {strategy: blue-green}\n${HEAD}    <<: *evil\n${TAIL}`, path: `${ENV}.__proto__`, line: 2, column: 3, message: 'the key "__proto__" is reserved (it cannot be read safely); rename it' },
  { name: 'constructor as a key inside health', yaml: env('    health: {constructor: 1}\n'), path: `${ENV}.health.constructor`, line: 7, column: 14, message: /^unknown key/ },
  { name: 'toString as a key inside ssh', yaml: env('    ssh: {toString: x}\n'), path: `${ENV}.ssh.toString`, line: 7, column: 11, message: /^unknown key/ },
  { name: 'hasOwnProperty at the top level', yaml: `${HEAD}${TAIL}hasOwnProperty: 1\n`, path: 'hasOwnProperty', line: 7, column: 1, message: /^unknown key/ },
];

const optionLike: ConfigCase[] = [
  { name: 'registry.server --help', yaml: `${HEAD}${TAIL}registry: {server: --help, username: ci}\n`, path: 'registry.server', line: 7, column: 20, message: 'expected a registry host[:port] (a host name or IP address, not starting with "-"), got "--help"' },
  { name: 'registry.server -oProxyCommand', yaml: `${HEAD}${TAIL}registry: {server: "-oProxyCommand=id", username: ci}\n`, path: 'registry.server', line: 7, column: 20, message: /not starting with "-"\), got "-oProxyCommand=id"$/ },
  { name: 'registry.server starting with - and a port', yaml: `${HEAD}${TAIL}registry: {server: "-r.example.com:5000", username: ci}\n`, path: 'registry.server', line: 7, column: 20, message: /not starting with "-"\), got "-r.example.com:5000"$/ },
  { name: 'registry.server with port 0', yaml: `${HEAD}${TAIL}registry: {server: "r.example.com:0", username: ci}\n`, path: 'registry.server', line: 7, column: 20, message: /^expected a registry host\[:port\]/ },
  { name: 'registry.username --password-stdin', yaml: `${HEAD}${TAIL}registry: {server: r.example.com, username: --password-stdin}\n`, path: 'registry.username', line: 7, column: 45, message: 'expected a user name, not an option (it must not start with "-"), got "--password-stdin"' },
  { name: 'registry.username with a control character', yaml: `${HEAD}${TAIL}registry: {server: r.example.com, username: "ci\\e[31m"}\n`, path: 'registry.username', line: 7, column: 45, message: /^expected a user name without spaces, control characters or ":"/ },
  { name: 'image starting with -', yaml: 'app: parking\nimage: -x/parking-web\nenvironments:\n  production:\n' + TAIL, path: 'image', line: 2, column: 8, message: /^expected an image name without tag.*, got "-x\/parking-web"$/ },
  { name: 'image --help', yaml: 'app: parking\nimage: --help\nenvironments:\n  production:\n' + TAIL, path: 'image', line: 2, column: 8, message: /^expected an image name without tag.*, got "--help"$/ },
  { name: 'image with a registry starting with -', yaml: 'app: parking\nimage: "-registry.example.com:5000/acme/web"\nenvironments:\n  production:\n' + TAIL, path: 'image', line: 2, column: 8, message: /^expected an image name without tag/ },
  { name: 'app-dir //', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: //\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: 'expected an absolute path below "/" (like /opt/parking) without empty or "." parts, no part starting with "-", got "//"' },
  { name: 'app-dir /.', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /.\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: 'expected an absolute path below "/" (like /opt/parking) without empty or "." parts, no part starting with "-", got "/."' },
  { name: 'app-dir /./', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /./\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: /^expected an absolute path below "\/"/ },
  { name: 'app-dir ///', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: ///\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: /^expected an absolute path below "\/"/ },
  { name: 'app-dir /opt//parking', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /opt//parking\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: /^expected an absolute path below "\/"/ },
  { name: 'app-dir /opt/./parking', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /opt/./parking\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: /^expected an absolute path below "\/"/ },
  { name: 'app-dir /-rf', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /-rf\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: /no part starting with "-", got "\/-rf"$/ },
  { name: 'app-dir with a trailing slash is fine', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /opt/parking/\n`, accepted: ['production'] },
  { name: 'compose-file -f', yaml: env('    compose-file: -f\n'), path: `${ENV}.compose-file`, line: 7, column: 19, message: 'expected a plain relative path: no empty or "." parts, no part starting with "-", got "-f"' },
  { name: 'compose-file ./docker-compose.yml', yaml: env('    compose-file: ./docker-compose.yml\n'), path: `${ENV}.compose-file`, line: 7, column: 19, message: /^expected a plain relative path/ },
  { name: 'compose-file a//b.yml', yaml: env('    compose-file: a//b.yml\n'), path: `${ENV}.compose-file`, line: 7, column: 19, message: /^expected a plain relative path/ },
  { name: 'compose-file absolute', yaml: env('    compose-file: /etc/passwd\n'), path: `${ENV}.compose-file`, line: 7, column: 19, message: 'expected a path inside app-dir (relative, without ".."), got "/etc/passwd"' },
  { name: 'upstream-file climbing out', yaml: env('    upstream-file: ../../etc/nginx/nginx.conf\n'), path: `${ENV}.upstream-file`, line: 7, column: 20, message: /^expected a path inside app-dir/ },
  { name: 'upstream-file --help', yaml: env('    upstream-file: conf.d/--help\n'), path: `${ENV}.upstream-file`, line: 7, column: 20, message: /^expected a plain relative path/ },
  { name: 'upstream-name starting with -', yaml: env('    upstream-name: -app\n'), path: `${ENV}.upstream-name`, line: 7, column: 20, message: /^expected an nginx upstream name.*not starting with "-"\), got "-app"$/ },
  { name: 'migrate.command --rm', yaml: env('    migrate: {command: --rm}\n'), path: `${ENV}.migrate.command`, line: 7, column: 24, message: 'expected a command, not an option (it must not start with "-"), got "--rm"' },
  { name: 'migrate.command of spaces', yaml: env('    migrate: {command: "   "}\n'), path: `${ENV}.migrate.command`, line: 7, column: 24, message: /^expected a command, not an option/ },
  { name: 'migrate.command with a line break', yaml: env('    migrate: {command: "migrate\\n::error::forged"}\n'), path: `${ENV}.migrate.command`, line: 7, column: 24, message: /^expected a one-line command/ },
  { name: 'migrate.command with an escape sequence', yaml: env('    migrate: {command: "migrate \\e[2J"}\n'), path: `${ENV}.migrate.command`, line: 7, column: 24, message: /^expected a one-line command without control characters/ },
  { name: 'an environment named -prod', yaml: named('-prod'), path: 'environments.-prod', line: 7, column: 3, message: /^expected an environment name of letters, digits, "_", "\." or "-" \(at most 100, starting with a letter or digit\)/ },
  { name: 'an environment named ..', yaml: named('..'), path: 'environments...', line: 7, column: 3, message: /^expected an environment name/ },
  { name: 'ssh.user -l', yaml: env('    ssh: {user: -l}\n'), path: `${ENV}.ssh.user`, line: 7, column: 17, message: /^expected a user name of letters/ },
  { name: 'proxy-jump -oProxyCommand', yaml: env('    ssh: {proxy-jump: "-oProxyCommand=id"}\n'), path: `${ENV}.ssh.proxy-jump`, line: 7, column: 23, message: /^expected \[user@\]host\[:port\]/ },
  { name: 'proxy-jump with a user -l', yaml: env('    ssh: {proxy-jump: "-l@bastion"}\n'), path: `${ENV}.ssh.proxy-jump`, line: 7, column: 23, message: /^expected \[user@\]host\[:port\]/ },
  { name: 'a host -oProxyCommand', yaml: `${HEAD}    hosts: ["-oProxyCommand=id"]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts[0]`, line: 5, column: 13, message: /^expected "host", "host:port" or \{host, port, user\}/ },
  { name: 'a host map -p', yaml: `${HEAD}    hosts: [{host: -p}]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts[0].host`, line: 5, column: 20, message: 'expected a host name or IP address: a leading "-" would make it an ssh option, got "-p"' },
  { name: 'a service -d', yaml: env('    services: [web, -d]\n'), path: `${ENV}.services[1]`, line: 7, column: 21, message: 'expected a compose service name, got "-d"' },
];

const unicode: ConfigCase[] = [
  { name: 'app name with a Cyrillic look-alike letter', yaml: 'app: p\u0430rking\nimage: x/y\nenvironments:\n  production:\n' + TAIL, path: 'app', line: 1, column: 6, message: /^expected lower-case letters, digits and "-"/ },
  { name: 'host name with a Cyrillic look-alike letter', yaml: `${HEAD}    hosts: [\u0430pp.example.com]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts[0]`, line: 5, column: 13, message: /^expected "host", "host:port"/ },
  { name: 'host with a zero-width space', yaml: `${HEAD}    hosts: ["app\u200b.example.com"]\n    app-dir: /opt/parking\n`, path: `${ENV}.hosts[0]`, line: 5, column: 13, message: /^expected "host", "host:port"/ },
  { name: 'app-dir with a right-to-left override', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: "/opt/\u202eparking"\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: /^expected an absolute path of letters, digits/ },
  { name: 'an environment named with an emoji', yaml: named('prod\u{1f680}'), path: 'environments["prod\u{1f680}"]', line: 7, column: 3, message: /^expected an environment name/ },
  { name: 'a service with a no-break space', yaml: env('    services: ["web\u00a0"]\n'), path: `${ENV}.services[0]`, line: 7, column: 16, message: /^expected a compose service name/ },
  { name: 'image with full-width letters', yaml: 'app: parking\nimage: \uff41cme/web\nenvironments:\n  production:\n' + TAIL, path: 'image', line: 2, column: 8, message: /^expected an image name without tag/ },
  { name: 'health path with a line separator', yaml: env('    health: {path: "/health/\u2028::error::x"}\n'), path: `${ENV}.health.path`, line: 7, column: 20, message: /^expected a URL path starting with "\/"/ },
  { name: 'upstream-name in Greek', yaml: env('    upstream-name: \u03b1pp\n'), path: `${ENV}.upstream-name`, line: 7, column: 20, message: /^expected an nginx upstream name/ },
];

const huge: ConfigCase[] = [
  { name: 'an app name of 100,000 characters', yaml: `app: ${'a'.repeat(100_000)}\nimage: x/y\nenvironments:\n  production:\n${TAIL}`, path: 'app', line: 1, column: 6, message: /^expected lower-case letters.*, got "a{40,}\.\.\."$/ },
  { name: 'an image name of 300 characters', yaml: `app: parking\nimage: acme/${'w'.repeat(300)}\nenvironments:\n  production:\n${TAIL}`, path: 'image', line: 2, column: 8, message: /^expected an image name of at most 255 characters/ },
  { name: 'an app-dir of 2,000 characters', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /${'d'.repeat(2000)}\n`, path: `${ENV}.app-dir`, line: 6, column: 14, message: /^expected an absolute path of at most 1024 characters/ },
  { name: 'a migrate command of 5,000 characters', yaml: env(`    migrate: {command: "${'m'.repeat(5000)}"}\n`), path: `${ENV}.migrate.command`, line: 7, column: 24, message: /^expected a command of at most 4096 characters/ },
  { name: 'a url of 3,000 characters', yaml: env(`    url: https://example.com/${'u'.repeat(3000)}\n`), path: `${ENV}.url`, line: 7, column: 10, message: /^expected an http\(s\) URL of at most 2048 characters/ },
  { name: 'more than 100 environments', yaml: `${HEAD}${TAIL}${Array.from({ length: 100 }, (_, i) => `  e${i}: {hosts: [a], app-dir: /o}\n`).join('')}`, path: 'environments', line: 4, column: 3, message: 'expected at most 100 environments' },
];

const yamlTricks: ConfigCase[] = [
  { name: '3,000 nested flow lists', yaml: deepFlow('[', ']', 3000), path: '', message: /nests (too deeply|deeper than 32 levels)/ },
  { name: '3,000 nested flow maps', yaml: deepFlow('{a: ', '}', 3000), path: '', message: /nests (too deeply|deeper than 32 levels)/ },
  { name: '200 nested flow lists', yaml: `${HEAD}${TAIL}x-deep: ${deepFlow('[', ']', 200)}`, path: '', line: 7, column: 40, message: /^the YAML nests deeper than 32 levels; a config needs a few .*so flatten it$/ },
  { name: '40 nested block maps', yaml: deepBlock(40), path: '', message: /^the YAML nests deeper than 32 levels/ },
  { name: 'a merged scalar (<<: 1)', yaml: env('    <<: 1\n'), path: '', line: 7, column: 9, message: '"<<" merges a map into this one, but its value is not a map; write "<<: *name" where "&name" marks a map (or a list of such aliases)' },
  { name: 'a merged list of scalars (<<: [1, 2])', yaml: env('    <<: [1, 2]\n'), path: '', line: 7, column: 10, message: /^"<<" merges a map into this one/ },
  { name: 'a merged alias of a scalar', yaml: `x-s: &s 1\n${HEAD}    <<: *s\n${TAIL}`, path: '', line: 6, column: 9, message: /^"<<" merges a map into this one/ },
  { name: 'a merged alias of a list', yaml: `x-l: &l [a, b]\n${HEAD}    <<: *l\n${TAIL}`, path: '', line: 6, column: 9, message: /^"<<" merges a map into this one/ },
  { name: 'a merged null', yaml: env('    <<:\n'), path: '', message: /^"<<" merges a map into this one/ },
  { name: 'an alias bomb of maps', yaml: `x-a: &a {k: [x, x, x, x, x, x, x, x]}\n${['b', 'c', 'd', 'e', 'f', 'g'].map((n, i) => `x-${n}: &${n} [${Array(8).fill(`*${'abcdefg'[i]}`).join(', ')}]`).join('\n')}\n${HEAD}${TAIL}`, path: '', line: 1, column: 1, message: /^YAML aliases expand too far/ },
  { name: 'an alias bomb reached through a merge', yaml: `x-a: &a {k: [x, x, x, x, x, x, x, x, x, x]}\nx-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nx-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nx-d: &d {z: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}\n${HEAD}    <<: *d\n${TAIL}`, path: '', line: 1, column: 1, message: /^YAML aliases expand too far/ },
  { name: 'an alias inside its own anchor (a list that contains itself)', yaml: env('    services: &s [web, *s]\n'), path: '', line: 7, column: 24, message: 'YAML alias *s is used inside the value its anchor &s marks, so it never ends; use the alias outside that value' },
  { name: 'an alias inside its own anchor (a map that contains itself)', yaml: env('    health: &h {port: 1, x: *h}\n'), path: '', line: 7, column: 29, message: /^YAML alias \*h is used inside the value its anchor &h marks/ },
  { name: 'a map that merges itself', yaml: env('    health: &h\n      port: 1\n      <<: *h\n'), path: '', line: 9, column: 11, message: /^YAML alias \*h is used inside the value its anchor &h marks/ },
  { name: 'binary data where a command goes', yaml: env('    migrate: {command: !!binary aGVsbG8=}\n'), path: `${ENV}.migrate.command`, line: 7, column: 33, message: 'expected a command, got binary data' },
  { name: 'a set where a list goes', yaml: env('    services: !!set {web: null}\n'), path: `${ENV}.services`, line: 7, column: 21, message: /^expected a list of compose services, got / },
  { name: 'a YAML 1.1 boolean where a word goes', yaml: env('    strategy: yes\n'), path: `${ENV}.strategy`, line: 7, column: 15, message: 'expected "rolling" or "blue-green", got "yes"' },
  { name: 'a duplicate top-level key', yaml: `${HEAD}${TAIL}app: other\n`, path: '', line: 7, column: 1, message: 'YAML syntax error: duplicate key "app"; each key may appear once in a map' },
  { name: 'a duplicate environment', yaml: `${HEAD}${TAIL}  production:\n    hosts: [b]\n    app-dir: /o\n`, path: '', line: 7, column: 3, message: 'YAML syntax error: duplicate key "production"; each key may appear once in a map' },
  { name: 'a duplicate key in a flow map', yaml: env('    health: {port: 1, port: 2}\n'), path: '', line: 7, column: 23, message: 'YAML syntax error: duplicate key "port"; each key may appear once in a map' },
  { name: 'a tab before a nested key', yaml: env('    health:\n\t  port: 8000\n'), path: '', line: 8, column: 1, message: 'YAML syntax error: tabs are not allowed as indentation; indent with spaces' },
  { name: 'a UTF-8 byte order mark is fine', yaml: `\ufeff${withEnv('')}`, accepted: ['production'] },
  { name: 'a UTF-16 file', yaml: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withEnv(''), 'utf16le')]), path: '', line: 1, column: 1, message: 'the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8' },
  { name: 'a Latin-1 byte in a comment', yaml: Buffer.concat([Buffer.from(`${HEAD}${TAIL}# caf`), Buffer.from([0xe9]), Buffer.from('\n')]), path: '', line: 7, column: 6, message: 'the file is not UTF-8 text (a byte here is not valid UTF-8); save it as UTF-8' },
  { name: 'a NUL byte', yaml: `${HEAD}${TAIL}# \u0000\n`, path: '', line: 7, column: 3, message: 'the file holds a control character (U+0000), so it is not a YAML text file; check that the `config` input names the config' },
  { name: 'a bell character', yaml: `${HEAD}    hosts: [10.0.0.11\u0007]\n    app-dir: /opt/parking\n`, path: '', line: 5, column: 22, message: /^the file holds a control character \(U\+0007\)/ },
  { name: 'an environ-like file holding a secret', yaml: `PATH=/usr/bin\u0000HOME=/root\u0000TOKEN=${CANARY}\u0000`, path: '', line: 1, column: 14, message: /^the file holds a control character \(U\+0000\)/ },
  { name: 'a text file holding a secret', yaml: `TOKEN=${CANARY}\n`, path: '', line: 1, column: 1, message: 'expected a map with app, image and environments, got a line of text' },
  { name: 'a number as the whole file', yaml: '42\n', path: '', line: 1, column: 1, message: 'expected a map with app, image and environments, got a number' },
  { name: 'a binary (PNG) file', yaml: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from(CANARY)]), path: '', message: /^the file (is not UTF-8 text|holds a control character)/ },
  { name: 'JSON is YAML too', yaml: JSON.stringify({ app: 'parking', image: 'x/y', environments: { production: { hosts: ['10.0.0.11'], 'app-dir': '/opt/parking' } } }), accepted: ['production'] },
  { name: 'an unclosed flow map', yaml: `${HEAD}    health: {port: 8000\n${TAIL}`, path: '', line: 5, column: 13, message: 'YAML syntax error: { opened here is never closed; close it with }' },
  { name: 'a value starting with @', yaml: env('    strategy: @rolling\n'), path: '', line: 7, column: 15, message: /^YAML syntax error: .*; put the value in quotes$/ },
  { name: 'a value starting with a backtick', yaml: env('    migrate: {command: `id`}\n'), path: '', line: 7, column: 24, message: /^YAML syntax error: .*; put the value in quotes$/ },
  { name: 'a key without a value on two lines', yaml: `${HEAD}${TAIL}    strategy\n      rolling: x\n`, path: '', message: /^YAML syntax error: .*(indentation|quoting)/ },
  { name: 'a bad escape in double quotes', yaml: env('    migrate: {command: "python \\q"}\n'), path: '', line: 7, column: 32, message: /^YAML syntax error: Invalid escape sequence \\q; write a backslash as/ },
  { name: 'a custom tag', yaml: env('    strategy: !!python/object:os.system rolling\n'), path: '', line: 7, column: 15, message: /^YAML syntax error: .*tag.*; a config uses no tags, so remove it$/ },
  { name: 'a complex (map) key', yaml: env('    ? {a: 1}\n    : x\n'), path: '', line: 7, column: 7, message: 'a key must be plain text, not a map or a list; write it as a word followed by ":"' },
  { name: 'a lone document marker', yaml: '---\n', path: '', line: 1, column: 1, message: 'the file is empty; expected app, image and environments' },
  { name: 'a file of only a tilde (null)', yaml: '~\n', path: '', line: 1, column: 1, message: 'the file is empty; expected app, image and environments' },
];

export const cases: ConfigCase[] = [
  ...INVALID_CASES.map((c) => ({ ...c, name: `config (test/config): ${c.name}` })),
  ...[...durations, ...numbers, ...prototypeKeys, ...optionLike, ...unicode, ...huge, ...yamlTricks].map((c) => ({ ...c, name: `config: ${c.name}` })),
];
