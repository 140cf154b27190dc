// Invalid configs and where the loader must report them: shared by the loader's unit tests and the
// plan action's runner-protocol tests.

export const FILE = '.github/parking-ci.yml';

/** Lines 1-6 of a valid config; a case appends lines from line 7 on (inside `production`). */
export const HEAD = `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
`;
export const withEnv = (lines: string) => `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /opt/parking\n${lines}`;

export interface Case {
  name: string;
  yaml: string;
  path: string;
  line: number;
  column: number;
  /** The exact message, or a pattern where only part of it is ours. */
  message: string | RegExp;
}

export const CASES: Case[] = [
  // Wrong types
  { name: 'app is a number', yaml: 'app: 123\nimage: x/y\nenvironments: {p: {hosts: [a], app-dir: /o}}\n', path: 'app', line: 1, column: 6, message: 'expected an app name, got 123' },
  { name: 'app has upper case', yaml: 'app: Parking\nimage: x/y\nenvironments: {p: {hosts: [a], app-dir: /o}}\n', path: 'app', line: 1, column: 6, message: 'expected lower-case letters, digits and "-" (at most 40, not starting or ending with "-"), got "Parking"' },
  { name: 'image with a tag', yaml: 'app: p\nimage: acme/web:latest\nenvironments: {p: {hosts: [a], app-dir: /o}}\n', path: 'image', line: 2, column: 8, message: 'expected an image name without tag, like registry.example.com/acme/web, got "acme/web:latest"' },
  { name: 'hosts is a string', yaml: `${HEAD}    hosts: 10.0.0.11\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts', line: 5, column: 12, message: 'expected a list of hosts, got "10.0.0.11"' },
  { name: 'an environment with no settings', yaml: `${HEAD}  staging:\n`.replace('  production:\n', '  production:\n    hosts: [a]\n    app-dir: /o\n'), path: 'environments.staging', line: 7, column: 11, message: 'expected a map of environment settings (hosts, app-dir, ...), got nothing (null)' },
  { name: 'the file is a list', yaml: '- app: parking\n', path: '', line: 1, column: 1, message: 'expected a map with app, image and environments, got a list' },
  { name: 'max-failed-hosts negative', yaml: withEnv('    max-failed-hosts: -1\n'), path: 'environments.production.max-failed-hosts', line: 7, column: 23, message: 'expected a whole number of hosts from 0 to 1000, got -1' },
  { name: 'strategy unknown', yaml: withEnv('    strategy: canary\n'), path: 'environments.production.strategy', line: 7, column: 15, message: 'expected "rolling" or "blue-green", got "canary"' },
  { name: 'strategy left empty', yaml: withEnv('    strategy:\n'), path: 'environments.production.strategy', line: 7, column: 14, message: 'expected "rolling" or "blue-green", got nothing (null)' },
  { name: 'health check status out of range', yaml: withEnv('    health: {expect-status: 999}\n'), path: 'environments.production.health.expect-status', line: 7, column: 29, message: 'expected an HTTP status code, got 999' },
  { name: 'url not http', yaml: withEnv('    url: ftp://parking.example.com\n'), path: 'environments.production.url', line: 7, column: 10, message: 'expected an http(s) URL, got "ftp://parking.example.com"' },
  // Unknown keys
  { name: 'misspelt top-level key', yaml: 'app: p\nimage: x/y\nenvironments: {p: {hosts: [a], app-dir: /o}}\nregistery: {server: r.example.com}\n', path: 'registery', line: 4, column: 1, message: 'unknown key (did you mean "registry"?); keys starting with "x-" are ignored if you need your own' },
  { name: 'misspelt environment key', yaml: withEnv('    strategey: rolling\n'), path: 'environments.production.strategey', line: 7, column: 5, message: 'unknown key (did you mean "strategy"?); keys starting with "x-" are ignored if you need your own' },
  { name: 'unknown key in a host map', yaml: `${HEAD}    hosts:\n      - {host: 10.0.0.11, usr: deployer}\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[0].usr', line: 6, column: 27, message: 'unknown key (did you mean "user"?); keys starting with "x-" are ignored if you need your own' },
  { name: 'unknown key in health', yaml: withEnv('    health:\n      retries: 3\n'), path: 'environments.production.health.retries', line: 8, column: 7, message: /^unknown key/ },
  // Durations
  { name: 'duration without unit', yaml: withEnv('    drain: 5\n'), path: 'environments.production.drain', line: 7, column: 12, message: 'expected a duration like "500ms", "5s" or "2m", got 5' },
  { name: 'duration in words', yaml: withEnv('    health:\n      timeout: 1 minute\n'), path: 'environments.production.health.timeout', line: 8, column: 16, message: 'expected a duration like "500ms", "5s" or "2m", got "1 minute"' },
  { name: 'interval longer than timeout', yaml: withEnv('    health: {timeout: 5s, interval: 10s}\n'), path: 'environments.production.health.interval', line: 7, column: 37, message: 'expected an interval no longer than health.timeout' },
  // Hosts
  { name: 'empty host list', yaml: `${HEAD}    hosts: []\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts', line: 5, column: 12, message: 'expected at least one host, got an empty list' },
  { name: 'duplicate host (implicit and explicit port 22)', yaml: `${HEAD}    hosts: [10.0.0.11, "10.0.0.11:22"]\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[1]', line: 5, column: 24, message: 'duplicate host: 10.0.0.11:22 is already hosts[0]' },
  { name: 'duplicate host in another spelling', yaml: `${HEAD}    hosts:\n      - app1.example.com\n      - {host: APP1.example.com}\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[1]', line: 7, column: 9, message: 'duplicate host: app1.example.com:22 is already hosts[0]' },
  { name: 'host port out of range', yaml: `${HEAD}    hosts: ["10.0.0.11:70000"]\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[0]', line: 5, column: 13, message: 'expected a port number from 1 to 65535 after ":", got "10.0.0.11:70000"' },
  { name: 'host map port zero', yaml: `${HEAD}    hosts:\n      - {host: 10.0.0.11, port: 0}\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[0].port', line: 6, column: 33, message: 'expected a port number from 1 to 65535, got 0' },
  { name: 'ssh port as a string', yaml: withEnv('    ssh: {port: "22"}\n'), path: 'environments.production.ssh.port', line: 7, column: 17, message: 'expected a port number from 1 to 65535, got "22"' },
  { name: 'shell metacharacters in a host', yaml: `${HEAD}    hosts: ["10.0.0.11;reboot"]\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[0]', line: 5, column: 13, message: 'expected "host", "host:port" or {host, port, user} (a host name or IP address, no spaces or shell characters), got "10.0.0.11;reboot"' },
  { name: 'command substitution in a host map', yaml: `${HEAD}    hosts:\n      - host: $(id).example.com\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[0].host', line: 6, column: 15, message: 'expected a host name or IP address, got "$(id).example.com"' },
  { name: 'shell metacharacters in the ssh user', yaml: withEnv('    ssh: {user: "deployer`id`"}\n'), path: 'environments.production.ssh.user', line: 7, column: 17, message: 'expected a user name of letters, digits, "_", "." or "-", got "deployer`id`"' },
  { name: 'shell metacharacters in proxy-jump', yaml: withEnv('    ssh: {proxy-jump: "bastion;id"}\n'), path: 'environments.production.ssh.proxy-jump', line: 7, column: 23, message: 'expected [user@]host[:port] (several hops separated by ","), got "bastion;id"' },
  // Paths
  { name: 'relative app-dir', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: opt/parking\n`, path: 'environments.production.app-dir', line: 6, column: 14, message: 'expected an absolute path of letters, digits and "._-/@+", got "opt/parking"' },
  { name: 'app-dir with a space and $()', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /opt/parking $(reboot)\n`, path: 'environments.production.app-dir', line: 6, column: 14, message: 'expected an absolute path of letters, digits and "._-/@+", got "/opt/parking $(reboot)"' },
  { name: 'app-dir climbing out with ..', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /opt/../etc\n`, path: 'environments.production.app-dir', line: 6, column: 14, message: 'expected an absolute path other than "/" without "..", got "/opt/../etc"' },
  { name: 'compose file outside app-dir', yaml: withEnv('    compose-file: ../other/docker-compose.yml\n'), path: 'environments.production.compose-file', line: 7, column: 19, message: 'expected a path inside app-dir (relative, without ".."), got "../other/docker-compose.yml"' },
  { name: 'upstream file with a pipe', yaml: withEnv('    upstream-file: "up.conf|sh"\n'), path: 'environments.production.upstream-file', line: 7, column: 20, message: 'expected a relative path of letters, digits and "._-/@+", got "up.conf|sh"' },
  // Percentages
  { name: 'batch-size over 100%', yaml: withEnv('    batch-size: "150%"\n'), path: 'environments.production.batch-size', line: 7, column: 17, message: 'expected a number or a percentage like "50%", got "150%"' },
  { name: 'batch-size zero', yaml: withEnv('    batch-size: 0\n'), path: 'environments.production.batch-size', line: 7, column: 17, message: 'expected a number or a percentage like "50%", got 0' },
  { name: 'batch-size fraction of a percent', yaml: withEnv('    batch-size: 12.5%\n'), path: 'environments.production.batch-size', line: 7, column: 17, message: 'expected a number or a percentage like "50%", got "12.5%"' },
  // Services
  { name: 'web-service (default "web") not in services', yaml: withEnv('    services: [api, worker]\n'), path: 'environments.production.web-service', line: 7, column: 15, message: '"web" is not one of services (api, worker); add it to services or set web-service to the service nginx routes to' },
  { name: 'web-service set but not in services', yaml: withEnv('    services: [web]\n    web-service: api\n'), path: 'environments.production.web-service', line: 8, column: 18, message: '"api" is not one of services (web); add it to services or set web-service to the service nginx routes to' },
  { name: 'a singleton that is also a service', yaml: withEnv('    services: [web, beat]\n    singleton-services: [beat]\n'), path: 'environments.production.singleton-services[0]', line: 8, column: 26, message: '"beat" is also in services; a service is either replaced on every host or a singleton' },
  { name: 'proxy among the app services', yaml: withEnv('    services: [web, nginx]\n'), path: 'environments.production.proxy-service', line: 4, column: 3, message: 'the proxy service must not run the app image (remove it from services)' },
  // Missing things
  { name: 'missing environments', yaml: 'app: parking\nimage: x/y\n', path: 'environments', line: 1, column: 1, message: 'is required (expected a map of environments)' },
  { name: 'no environments', yaml: 'app: parking\nimage: x/y\nenvironments: {}\n', path: 'environments', line: 3, column: 15, message: 'expected at least one environment' },
  { name: 'missing app-dir', yaml: `${HEAD}    hosts: [10.0.0.11]\n`, path: 'environments.production.app-dir', line: 4, column: 3, message: 'is required (expected an absolute path)' },
  { name: 'migrate without a command', yaml: withEnv('    migrate: {timeout: 5m}\n'), path: 'environments.production.migrate.command', line: 7, column: 5, message: 'is required (expected a command)' },
  { name: 'empty file', yaml: '# nothing yet\n', path: '', line: 1, column: 1, message: 'the file is empty; expected app, image and environments' },
  // YAML itself
  { name: 'unclosed flow sequence', yaml: `${HEAD}    hosts: [10.0.0.11\n    app-dir: /opt/parking\n`, path: '', line: 5, column: 12, message: 'YAML syntax error: [ opened here is never closed; close it with ]' },
  { name: 'unclosed quote', yaml: `${HEAD}    hosts: ["10.0.0.11]\n    app-dir: /opt/parking\n`, path: '', line: 5, column: 13, message: /^YAML syntax error: " opened here is never closed; close it with "$/ },
  { name: 'duplicate key', yaml: `${HEAD}    hosts: [10.0.0.11]\n    app-dir: /opt/parking\n    hosts: [10.0.0.12]\n`, path: '', line: 7, column: 5, message: 'YAML syntax error: duplicate key "hosts"; each key may appear once in a map' },
  { name: 'tab indentation', yaml: `${HEAD}\thosts: [10.0.0.11]\n`, path: '', line: 5, column: 1, message: 'YAML syntax error: tabs are not allowed as indentation; indent with spaces' },
  { name: 'two documents', yaml: `${withEnv('')}---\napp: other\n`, path: '', line: 7, column: 1, message: 'YAML syntax error: the file holds more than one YAML document (a "---" line); keep one' },
  { name: 'alias to an anchor never defined', yaml: `${HEAD}    hosts: *servers\n    app-dir: /opt/parking\n`, path: '', line: 5, column: 12, message: 'YAML syntax error: unknown alias *servers; define the anchor &servers before it is used' },
  { name: 'a bad value reached through an alias is shown where it is written', yaml: `x-hosts: &hosts ["bad host"]\n${HEAD}    hosts: *hosts\n    app-dir: /opt/parking\n`, path: 'environments.production.hosts[0]', line: 1, column: 18, message: /^expected "host", "host:port" or \{host, port, user\}/ },
  { name: 'an unknown key merged from an x- anchor is shown in the anchor', yaml: `x-defaults: &defaults\n  strategey: rolling\n${HEAD}    <<: *defaults\n    hosts: [a]\n    app-dir: /o\n`, path: 'environments.production.strategey', line: 2, column: 3, message: /^unknown key \(did you mean "strategy"\?\)/ },
];

