// Hostile inputs of the plan, deploy and rollback actions: every row is run through the runner
// harness over a valid baseline (deploy and rollback in dry-run, against a host where nothing
// listens), so nothing anywhere is touched. Each must fail with one clear line naming the input, or,
// where `succeeds` says so, work although it looks dangerous.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written into files and the environment that are not configs: must never be printed anywhere. */
export const FILE_CANARY = 'canary-file-8e1b44a0-never-printed';
/** The value of secret inputs: may only appear in the runner's own `::add-mask::` commands. */
export const SECRET_CANARY = 'canary-secret-5d2c9f13-masked';

export type InputAction = 'plan' | 'deploy' | 'rollback' | 'notify';

export interface InputCase {
  name: string;
  action: InputAction;
  /** Inputs over the baseline (an empty string removes a baseline input). */
  inputs: Record<string, string>;
  /** Prepares the workspace (files, links, FIFOs) before the run. */
  setup?: (workspace: string) => void;
  /** The input the failure names. */
  input: string;
  /** The failure line (the step's last error), or for `succeeds` a line of the log. */
  message: RegExp;
  succeeds?: boolean;
}

export const CONFIG_FILE = '.github/parking-ci.yml';
export const VALID_CONFIG = `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    hosts: ["127.0.0.1:9"]
    app-dir: /opt/parking
`;
const CONSTRUCTOR_CONFIG = `${VALID_CONFIG}  constructor:\n    hosts: ["127.0.0.1:9"]\n    app-dir: /opt/parking\n`;

export const BASELINE: Record<InputAction, Record<string, string>> = {
  plan: {},
  // Nothing listens there: a row that got past its inputs would fail to deliver, not reach anyone.
  notify: { channels: 'webhook', 'webhook-url': 'http://127.0.0.1:9/hook', retries: '0', 'fail-on-error': 'true' },
  deploy: {
    environment: 'production',
    version: 'v2',
    'ssh-private-key': `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET_CANARY}\n-----END OPENSSH PRIVATE KEY-----\n`,
    'known-hosts': '[127.0.0.1]:9 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHhostilehostilehostilehostilehostilehosti',
    'github-token': SECRET_CANARY,
    'dry-run': 'true',
  },
  rollback: {
    environment: 'production',
    to: 'previous',
    'ssh-private-key': `-----BEGIN OPENSSH PRIVATE KEY-----\n${SECRET_CANARY}\n-----END OPENSSH PRIVATE KEY-----\n`,
    'known-hosts': '[127.0.0.1]:9 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHhostilehostilehostilehostilehostilehosti',
    'github-token': SECRET_CANARY,
    'dry-run': 'true',
  },
};

const write = (file: string, content: string | Buffer) => (workspace: string) => {
  mkdirSync(join(workspace, file, '..'), { recursive: true });
  writeFileSync(join(workspace, file), content);
};
const link = (file: string, target: string) => (workspace: string) => {
  mkdirSync(join(workspace, file, '..'), { recursive: true });
  symlinkSync(target, join(workspace, file));
};

const OUTSIDE = /^input "config": ".*" is outside the workspace \(.*\); give a path inside the repository, like \.github\/parking-ci\.yml$/;
const LINKED_OUT = /^input "config": ".*" leads out of the workspace through a symbolic link; the config must be a file in the repository$/;
const NOT_REGULAR = /^input "config": ".*" is not a regular file \(a device, FIFO or socket\); the config must be a YAML file in the repository$/;
const DIRECTORY = /^input "config": ".*" is a directory; name the config file in it, like \.github\/parking-ci\.yml$/;
const UNPRINTABLE = /^input "config": ".*" holds a control or invisible character; name the file plainly, like \.github\/parking-ci\.yml$/;

/** `config` input rows, run for each of the given actions. */
const configRows: (Omit<InputCase, 'action' | 'input'> & { actions: InputAction[] })[] = [
  { name: '/proc/self/environ', actions: ['plan', 'deploy', 'rollback'], inputs: { config: '/proc/self/environ' }, message: OUTSIDE },
  { name: '/etc/passwd', actions: ['plan', 'deploy'], inputs: { config: '/etc/passwd' }, message: OUTSIDE },
  { name: 'climbing out with ../', actions: ['plan', 'deploy', 'rollback'], inputs: { config: '../../../../../../etc/passwd' }, message: OUTSIDE },
  { name: 'climbing out and back in by name', actions: ['plan'], inputs: { config: '.github/../../x/.github/parking-ci.yml' }, message: OUTSIDE },
  { name: '/dev/zero', actions: ['plan', 'deploy'], inputs: { config: '/dev/zero' }, message: OUTSIDE },
  { name: 'a link to /proc/self/environ', actions: ['plan', 'deploy', 'rollback'], inputs: { config: '.github/env.yml' }, setup: link('.github/env.yml', '/proc/self/environ'), message: LINKED_OUT },
  { name: 'a link to /etc/passwd', actions: ['plan', 'deploy'], inputs: { config: 'passwd.yml' }, setup: link('passwd.yml', '/etc/passwd'), message: LINKED_OUT },
  { name: 'a file in a linked folder outside', actions: ['plan'], inputs: { config: 'etc/passwd' }, setup: link('etc', '/etc'), message: LINKED_OUT },
  { name: 'a link to /dev/zero', actions: ['plan', 'deploy'], inputs: { config: 'zero.yml' }, setup: link('zero.yml', '/dev/zero'), message: LINKED_OUT },
  { name: 'a relative link that climbs out', actions: ['plan'], inputs: { config: '.github/up.yml' }, setup: link('.github/up.yml', '../../../../../../etc/hostname'), message: LINKED_OUT },
  { name: '/dev/stdin', actions: ['plan'], inputs: { config: '/dev/stdin' }, message: OUTSIDE },
  { name: 'a home-directory path (~ is not expanded)', actions: ['plan'], inputs: { config: '~/.ssh/id_rsa' }, message: /^~\/\.ssh\/id_rsa: config file not found/ },
  { name: "the repository's .git/config (not YAML, never echoed)", actions: ['plan', 'deploy'], inputs: { config: '.git/config' }, setup: write('.git/config', `[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = https://x:${FILE_CANARY}@github.com/acme/parking\n`), message: /^\.git\/config: (2 problems, first: )?YAML syntax error: .*\(line \d+, column \d+\)$/ },
  { name: 'a link loop', actions: ['plan', 'deploy'], inputs: { config: 'loop.yml' }, setup: (w) => (link('loop.yml', 'loop2.yml')(w), link('loop2.yml', 'loop.yml')(w)), message: /^input "config": "loop\.yml" is a loop of symbolic links/ },
  { name: 'a FIFO (would block a reader forever)', actions: ['plan', 'deploy', 'rollback'], inputs: { config: '.github/fifo.yml' }, setup: (w) => (mkdirSync(join(w, '.github'), { recursive: true }), execFileSync('mkfifo', [join(w, '.github/fifo.yml')])), message: NOT_REGULAR },
  { name: 'a directory', actions: ['plan', 'deploy'], inputs: { config: '.github' }, message: DIRECTORY },
  { name: 'the workspace itself', actions: ['plan'], inputs: { config: '.' }, message: DIRECTORY },
  { name: 'a file of 2 MiB', actions: ['plan', 'deploy'], inputs: { config: 'big.yml' }, setup: write('big.yml', `# ${'x'.repeat(2 * 1024 * 1024)}\n`), message: /^input "config": "big\.yml" is \d+ bytes; a config file is at most 1048576 bytes \(is it the right file\?\)$/ },
  { name: 'a copy of an environment (NUL-separated, with a secret)', actions: ['plan', 'deploy', 'rollback'], inputs: { config: 'environ.yml' }, setup: write('environ.yml', `PATH=/usr/bin\0TOKEN=${FILE_CANARY}\0`), message: /^environ\.yml: the file holds a control character \(U\+0000\), so it is not a YAML text file; check that the `config` input names the config \(line 1, column 14\)$/ },
  { name: 'a dotenv file with a secret', actions: ['plan', 'deploy'], inputs: { config: '.env' }, setup: write('.env', `TOKEN=${FILE_CANARY}\n`), message: /^\.env: expected a map with app, image and environments, got a line of text \(line 1, column 1\)$/ },
  { name: 'a binary file with a secret', actions: ['plan'], inputs: { config: 'logo.png' }, setup: write('logo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xd8]), Buffer.from(FILE_CANARY)])), message: /^logo\.png: the file (is not UTF-8 text|holds a control character)/ },
  { name: 'a path with a line break and a forged command', actions: ['plan', 'deploy', 'rollback'], inputs: { config: 'x.yml\n::error::forged' }, message: UNPRINTABLE },
  { name: 'a path with a right-to-left override', actions: ['plan', 'deploy'], inputs: { config: '.github/\u202elmy.ic-gnikrap' }, message: UNPRINTABLE },
  { name: 'a path with an escape sequence', actions: ['plan'], inputs: { config: '\u001b[2J.yml' }, message: UNPRINTABLE },
  { name: 'a path of 5,000 characters', actions: ['plan', 'deploy'], inputs: { config: 'a/'.repeat(2500) }, message: /^input "config": the path is longer than 4096 characters/ },
  { name: 'a file that does not exist', actions: ['plan', 'deploy', 'rollback'], inputs: { config: '.github/nope.yml' }, message: /^\.github\/nope\.yml: config file not found; create it .* or set the `config` input$/ },
  { name: 'a path through a file', actions: ['plan'], inputs: { config: '.github/parking-ci.yml/x.yml' }, message: /^\.github\/parking-ci\.yml\/x\.yml: config file not found/ },
  { name: 'a link to the config inside the workspace works', actions: ['plan', 'deploy'], inputs: { config: 'ci.yml' }, setup: link('ci.yml', CONFIG_FILE), message: /./, succeeds: true },
  { name: 'a path that climbs out and back in works', actions: ['plan'], inputs: { config: './.github/../.github/parking-ci.yml' }, message: /./, succeeds: true },
];

const environmentRows: Omit<InputCase, 'action' | 'input'>[] = [
  { name: 'constructor', inputs: { environment: 'constructor' }, message: /^\.github\/parking-ci\.yml: no environment "constructor"; the config has "production"$/ },
  { name: 'toString', inputs: { environment: 'toString' }, message: /^\.github\/parking-ci\.yml: no environment "toString"; the config has "production"$/ },
  { name: '__proto__', inputs: { environment: '__proto__' }, message: /^\.github\/parking-ci\.yml: no environment "__proto__"; the config has "production"$/ },
  { name: 'hasOwnProperty', inputs: { environment: 'hasOwnProperty' }, message: /^\.github\/parking-ci\.yml: no environment "hasOwnProperty"; the config has "production"$/ },
  { name: 'valueOf', inputs: { environment: 'valueOf' }, message: /^\.github\/parking-ci\.yml: no environment "valueOf"; the config has "production"$/ },
  { name: 'an option (-prod)', inputs: { environment: '-prod' }, message: /^\.github\/parking-ci\.yml: no environment "-prod"/ },
  { name: 'a line break and a forged command', inputs: { environment: 'production\n::error::forged' }, message: /^input "environment": expected an environment name, got "production\\n::error::forged"$/ },
  { name: 'shell characters', inputs: { environment: 'production;id' }, message: /^input "environment": expected an environment name, got "production;id"$/ },
  { name: '5,000 characters', inputs: { environment: 'e'.repeat(5000) }, message: /^\.github\/parking-ci\.yml: no environment "e{57}\.\.\."; the config has "production"$/ },
];

const versionRows: Omit<InputCase, 'action'>[] = [
  { name: 'version -rf', inputs: { version: '-rf' }, input: 'version', message: /^input "version": expected an image tag .*, got "-rf"$/ },
  { name: 'version --help', inputs: { version: '--help' }, input: 'version', message: /^input "version": expected an image tag .*, got "--help"$/ },
  { name: 'version with a shell command', inputs: { version: 'v1;id' }, input: 'version', message: /^input "version": expected an image tag .*, got "v1;id"$/ },
  { name: 'version with command substitution', inputs: { version: '$(id)' }, input: 'version', message: /^input "version": expected an image tag/ },
  { name: 'version of 200 characters', inputs: { version: 'v'.repeat(200) }, input: 'version', message: /^input "version": expected an image tag .*, got "v{57}\.\.\."$/ },
  { name: 'version as a short digest', inputs: { version: 'sha256:abc' }, input: 'version', message: /^input "version": expected an image tag/ },
  { name: 'version with a forged command', inputs: { version: 'v1\n::error::forged' }, input: 'version', message: /^input "version": expected an image tag .*, got "v1\\n::error::forged"$/ },
  { name: 'version climbing a path', inputs: { version: '../v1' }, input: 'version', message: /^input "version": expected an image tag/ },
  { name: 'version with a zero-width space', inputs: { version: 'v1\u200b' }, input: 'version', message: /^input "version": expected an image tag/ },
  { name: 'strategy --help', inputs: { strategy: '--help' }, input: 'strategy', message: /^input "strategy": expected "rolling" or "blue-green".*, got "--help"$/ },
  { name: 'strategy with a shell command', inputs: { strategy: 'rolling;id' }, input: 'strategy', message: /^input "strategy": expected "rolling" or "blue-green"/ },
  { name: 'dry-run maybe', inputs: { 'dry-run': 'maybe' }, input: 'dry-run', message: /^input "dry-run": expected true or false, got "maybe"$/ },
  { name: 'dry-run with a forged command', inputs: { 'dry-run': 'true\n::error::forged' }, input: 'dry-run', message: /^input "dry-run": expected true or false, got "true\\n::error::forged"$/ },
  { name: 'ssh-private-key that is not a key (never echoed)', inputs: { 'ssh-private-key': SECRET_CANARY }, input: 'ssh-private-key', message: /^input "ssh-private-key" does not look like a private key/ },
  { name: 'known-hosts of garbage', inputs: { 'known-hosts': 'garbage\n::error::forged' }, input: 'known-hosts', message: /^input "known-hosts" holds no known_hosts line/ },
];

const rollbackRows: Omit<InputCase, 'action'>[] = [
  { name: 'to -x', inputs: { to: '-x' }, input: 'to', message: /^input "to": expected an image tag .*, got "-x"$/ },
  { name: 'to list;id', inputs: { to: 'list;id' }, input: 'to', message: /^input "to": expected an image tag/ },
  { name: 'to ../v1', inputs: { to: '../v1' }, input: 'to', message: /^input "to": expected an image tag/ },
  { name: 'to with a forged command', inputs: { to: 'previous\n::error::forged' }, input: 'to', message: /^input "to": expected an image tag .*, got "previous\\n::error::forged"$/ },
  { name: 'to a short digest', inputs: { to: 'sha256:zz' }, input: 'to', message: /^input "to": expected an image tag/ },
  { name: 'dry-run yes please', inputs: { 'dry-run': 'yes please' }, input: 'dry-run', message: /^input "dry-run": expected true or false/ },
];

/** Duration inputs are bounded where they are read (src/github/inputs.ts), whichever action reads them. */
const durationRows: Omit<InputCase, 'action'>[] = [
  { name: 'timeout of 600h (over 2^31-1 ms, a timer of 1 ms)', inputs: { timeout: '600h' }, input: 'timeout', message: /input "timeout": expected a duration from 1ms to 5m, got "600h"/ },
  { name: 'timeout of 25h', inputs: { timeout: '25h' }, input: 'timeout', message: /input "timeout": expected a duration from 1ms to 5m, got "25h"/ },
  { name: 'timeout with 400 digits', inputs: { timeout: `${'9'.repeat(400)}s` }, input: 'timeout', message: /input "timeout": expected a duration from 1ms to 5m, got "9{57}\.\.\."/ },
  { name: 'timeout negative', inputs: { timeout: '-1s' }, input: 'timeout', message: /input "timeout": expected a duration from 1ms to 5m like "10s" or "2m", got "-1s"/ },
  { name: 'timeout with a forged command', inputs: { timeout: '5s\n::error::forged' }, input: 'timeout', message: /input "timeout": expected a duration .*, got "5s\\n::error::forged"/ },
];

export const cases: InputCase[] = [
  ...configRows.flatMap(({ actions, ...row }) => actions.map((action): InputCase => ({ ...row, action, input: 'config', name: `inputs: ${action} config: ${row.name}` }))),
  ...(['deploy', 'rollback'] as const).flatMap((action) => environmentRows.map((row): InputCase => ({ ...row, action, input: 'environment', name: `inputs: ${action} environment: ${row.name}` }))),
  ...versionRows.map((row): InputCase => ({ ...row, action: 'deploy', name: `inputs: deploy ${row.name}` })),
  ...rollbackRows.map((row): InputCase => ({ ...row, action: 'rollback', name: `inputs: rollback ${row.name}` })),
  ...durationRows.map((row): InputCase => ({ ...row, action: 'notify', name: `inputs: notify ${row.name}` })),
  {
    name: 'inputs: deploy dry-run to an environment named constructor works',
    action: 'deploy',
    inputs: { environment: 'constructor' },
    setup: write(CONFIG_FILE, CONSTRUCTOR_CONFIG),
    input: 'environment',
    message: /^deploy v2 to constructor: 1 host\(s\), strategy rolling \(dry run: nothing is changed\)$/m,
    succeeds: true,
  },
  {
    name: 'inputs: plan on a config with an environment named toString works',
    action: 'plan',
    inputs: {},
    setup: write(CONFIG_FILE, `${VALID_CONFIG}  toString:\n    hosts: [10.0.0.2]\n    app-dir: /opt/parking\n`),
    input: 'config',
    message: /is valid: app parking, 2 environment\(s\): production, toString$/m,
    succeeds: true,
  },
];
