import type { Environment } from '../config/types.js';
import { CONTAINER_FORMAT, parseContainers, writeFileScript, type ContainerInfo } from './compose.js';
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
    script: [[raw('cat --'), statePaths(env).upstream, raw('2>/dev/null || true')], ['echo', CONTAINERS], ['docker', 'ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${app}`, raw('| xargs -r docker inspect --format'), CONTAINER_FORMAT]],
    parse: (stdout) => {
      const [upstream = '', containers = ''] = stdout.split(`${CONTAINERS}\n`);
      return { servers: parseUpstreamServers(upstream), containers: parseContainers(containers) };
    },
    sample: `${CONTAINERS}\n`,
    timeoutMs: 60_000,
  };
}
