import { isIPv4 } from 'node:net';
import type { Environment } from '../config/types.js';
import { parseContainers, projectContainersScript, writeFileScript, type ContainerInfo } from './compose.js';
import { statePaths } from './paths.js';
import { raw, type Script } from './shell.js';
import type { Step } from './step.js';

/** The managed upstream file: one `upstream <name> { ... }` block with the given backends. */
export function upstreamConfig(name: string, servers: string[], note = ''): string {
  const lines = [
    '# Managed by parking-ci: rewritten on every deploy and rollback. Do not edit.',
    ...(note ? [`# ${note.replace(/[\r\n]/g, ' ')}`] : []),
    `upstream ${name} {`,
    ...servers.map((s) => `    server ${s} max_fails=0;`),
    '}',
    '',
  ];
  return lines.join('\n');
}

/** Backends listed in an upstream file we wrote (address:port). */
export function parseUpstreamServers(text: string): string[] {
  return [...text.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((m) => m[1]!);
}

/**
 * Points nginx at new backends: write the file atomically, `nginx -t` (restoring the previous file if
 * the test fails) and reload. Reload is asynchronous: callers keep what it took traffic from running
 * for at least a second (the drain).
 */
export function switchUpstreamScript(env: Environment, proxyContainer: string, content: string): Script {
  const file = statePaths(env).upstream;
  return [
    [raw('cp -p --'), file, `${file}.previous`, raw('2>/dev/null || true')],
    ...writeFileScript(file, content),
    [raw('if ! out=$(docker exec'), proxyContainer, 'nginx', '-t', raw('2>&1); then')],
    [raw('  if [ -f'), `${file}.previous`, raw(']; then mv -f --'), `${file}.previous`, file, raw('; fi')],
    [raw('  echo "nginx -t rejected the new upstream file (previous file restored):"; echo "$out"; exit 4')],
    [raw('fi')],
    ['docker', 'exec', proxyContainer, 'nginx', '-s', 'reload'],
  ];
}

const CONTAINERS = '### containers';

/** What nginx routes to now and the project's running containers: what a host really serves. */
export function readServingStep(app: string, env: Environment): Step<{ servers: string[]; containers: ContainerInfo[] }> {
  return {
    label: 'read what serves',
    script: [[raw('cat --'), statePaths(env).upstream, raw('2>/dev/null || true')], ['echo', CONTAINERS], ...projectContainersScript(app, false)],
    parse: (stdout) => {
      const [upstream = '', containers = ''] = stdout.split(`${CONTAINERS}\n`);
      return { servers: parseUpstreamServers(upstream), containers: parseContainers(containers) };
    },
    sample: `${CONTAINERS}\n`,
    timeoutMs: 60_000,
  };
}

/**
 * `address:port` as it appears in /proc/net/tcp (and at the end of an IPv4-mapped tcp6 address):
 * the address's bytes in the kernel's order, then the port, in upper-case hex.
 */
export function procNetTcpAddress(server: string): string | undefined {
  const [address = '', port = ''] = server.split(/:(?=\d+$)/);
  if (!isIPv4(address) || !/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  return `${address.split('.').reverse().map((b) => hex(Number(b), 2)).join('')}:${hex(Number(port), 4)}`;
}

const LET_GO = 'nginx let go: ';

/**
 * Runs `then` (it stops containers that took traffic) once nginx sends nothing more to `servers`,
 * waiting at most `maxMs`: no worker left from an earlier reload (one keeps each client keep-alive
 * connection until its next request, answered with `Connection: close`, or until it has been idle for
 * keepalive_min_timeout, and proxies what they send to the upstream it had loaded)
 * and no connection from nginx to any of them open. A Gunicorn stopped while nginx still connects to
 * it resets those connections, and nginx does not send a POST again. Read inside the proxy container
 * (/proc), nothing to install; one round trip. Answers what made it stop waiting early, if anything.
 */
export function nginxLetGoStep(label: string, proxyContainer: string, servers: string[], maxMs: number, then: Script): Step<string[]> {
  const addresses = servers.map(procNetTcpAddress).filter((a): a is string => !!a);
  // the state after the remote address: 01 established, 02 connecting
  const pattern = addresses.length ? `(${addresses.join('|')}) 0[12] ` : '^$^';
  const inspect = 'w=$(grep -las "shutting[ ]down" /proc/[0-9]*/cmdline | wc -l); c=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -cE "$0"); echo "$w $c"';
  return {
    label,
    script: [
      [raw('start=$(date +%s%3N); deadline=$((start +'), String(maxMs), raw('))')],
      [raw('while :; do')],
      [raw('  seen=$(docker exec'), proxyContainer, 'sh', '-c', inspect, pattern, raw(`2>/dev/null) || { echo "${LET_GO}the proxy could not be inspected"; break; }`)],
      [raw('  if [ "$seen" = "0 0" ]; then break; fi')],
      [raw(`  if [ "$(date +%s%3N)" -ge "$deadline" ]; then echo "${LET_GO}after`), String(maxMs), raw('ms, ${seen% *} nginx worker(s) left from a reload and ${seen#* } connection(s) to them"; break; fi')],
      ['sleep', '0.2'],
      [raw('done')],
      ...then,
    ],
    parse: (stdout) => stdout.split('\n').filter((l) => l.startsWith(LET_GO)).map((l) => l.slice(LET_GO.length)),
    sample: '',
  };
}
