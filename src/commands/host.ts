import type { Environment } from '../config/types.js';
import { compose, containerLine, projectContainersScript, parseContainers, sampleContainer, type ComposeFlavor, type ComposeProject, type ContainerInfo } from './compose.js';
import { statePaths } from './paths.js';
import { raw, secret, type Script } from './shell.js';
import { plainStep, type Step } from './step.js';

/**
 * One round trip that reads everything a deploy needs to know about a host: tools, disk, the compose
 * config, the project's containers, release history, lock and upstream file. Sections start `### `.
 */
export function inspectHostScript(app: string, env: Environment): Script {
  const p = statePaths(env);
  // a leading newline: the output before a marker (compose's JSON) may not end with one
  const section = (name: string) => ['printf', '\\n### %s\\n', name];
  return [
    section('preflight'),
    [raw('if ! command -v docker >/dev/null; then echo "error=docker is not installed (or not on PATH for non-interactive ssh)"; exit 0; fi')],
    [raw('if ! server=$(docker version --format \'{{.Server.Version}}\' 2>/dev/null); then echo "error=cannot talk to the Docker engine as $(id -un) (is the user in the docker group?)"; exit 0; fi')],
    [raw('if docker compose version >/dev/null 2>&1; then flavor=plugin; elif docker-compose version --short 2>/dev/null | grep -q "^2"; then flavor=standalone; else echo "error=Docker Compose v2 is not installed (docker compose plugin or docker-compose 2.x)"; exit 0; fi')],
    [raw('echo "compose=$flavor"')],
    [raw('if [ ! -d'), env.appDir, raw(']; then echo'), `error=app-dir ${env.appDir} does not exist`, raw('; exit 0; fi')],
    [raw('if [ ! -f'), p.composeFile, raw(']; then echo'), `error=compose file ${p.composeFile} does not exist`, raw('; exit 0; fi')],
    [raw('if [ ! -w'), env.appDir, raw(']; then echo'), `error=app-dir ${env.appDir} is not writable by`, raw('"$(id -un)"; exit 0; fi')],
    [raw('echo "disk_free_kb=$(df -Pk'), env.appDir, raw('| awk \'NR==2 {print $4}\')"')],
    [raw('echo "docker=$server"')],
    [raw('echo "bash=$BASH_VERSION"')],
    // the resolved compose file (compose's slowest answer) is read while the rest is
    [raw('config=$(mktemp)')],
    [raw('if [ "$flavor" = plugin ]; then {'), ...compose({ app, env, flavor: 'plugin' }, 'config', '--format', 'json'), raw('>"$config" 2>&1 || true; } & else {'), ...compose({ app, env, flavor: 'standalone' }, 'config', '--format', 'json'), raw('>"$config" 2>&1 || true; } & fi')],
    section('containers'),
    ...projectContainersScript(app, true),
    section('releases'),
    [raw('tail -n 500 --'), p.releases, raw('2>/dev/null || true')],
    section('lock'),
    [raw('cat --'), p.lockInfo, raw('2>/dev/null || true')],
    section('upstream'),
    [raw('cat --'), p.upstream, raw('2>/dev/null || true')],
    section('envfiles'),
    [raw('ls -1 --'), p.envFiles, raw('2>/dev/null || true')],
    section('images'),
    [raw('docker image ls --no-trunc --format \'{{.Repository}}:{{.Tag}} {{.ID}} {{.Digest}}\' 2>/dev/null || true')],
    section('config'),
    [raw('wait; cat -- "$config"; rm -f -- "$config"')],
    section('end'),
  ];
}

export interface HostFacts {
  error?: string;
  compose?: ComposeFlavor;
  diskFreeKb?: number;
  dockerVersion?: string;
  composeConfig?: ComposeConfig;
  composeConfigError?: string;
  containers: ContainerInfo[];
  releasesText: string;
  lockText: string;
  upstreamText: string;
  images: string[];
  /** The release environment files in `.parking-ci/env/`. */
  envFiles: string[];
  complete: boolean;
}

export interface ComposeConfig {
  services: Record<string, { image?: string; container_name?: string; ports?: unknown[]; networks?: Record<string, unknown>; environment?: Record<string, string | null> }>;
}

export function parseHostFacts(stdout: string): HostFacts {
  const sections: Record<string, string> = {};
  let current = '';
  for (const line of stdout.split('\n')) {
    const m = /^### (\w+)$/.exec(line);
    if (m) {
      current = m[1]!;
      sections[current] = '';
    } else if (current) sections[current] += `${line}\n`;
  }
  const kv = Object.fromEntries(
    (sections.preflight ?? '')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const facts: HostFacts = {
    containers: parseContainers(sections.containers ?? ''),
    releasesText: sections.releases ?? '',
    lockText: (sections.lock ?? '').trim(),
    upstreamText: sections.upstream ?? '',
    images: (sections.images ?? '').split('\n').filter(Boolean),
    envFiles: (sections.envfiles ?? '').split('\n').filter(Boolean),
    complete: 'end' in sections,
  };
  if (kv.error) facts.error = kv.error;
  if (kv.compose) facts.compose = kv.compose as ComposeFlavor;
  if (kv.disk_free_kb) facts.diskFreeKb = Number(kv.disk_free_kb);
  if (kv.docker) facts.dockerVersion = kv.docker;
  const configText = (sections.config ?? '').trim();
  if (configText) {
    const start = configText.indexOf('{');
    try {
      facts.composeConfig = JSON.parse(configText.slice(start)) as ComposeConfig;
    } catch {
      facts.composeConfigError = configText.split('\n').slice(-3).join(' ').slice(0, 400);
    }
  }
  return facts;
}

export function inspectHostStep(app: string, env: Environment): Step<HostFacts> {
  return { label: 'inspect host', script: inspectHostScript(app, env), parse: parseHostFacts, sample: sampleHostFacts(env) };
}

/** The dry run's host: every service running one container, nothing recorded yet. */
export function sampleContainers(env: Environment): ContainerInfo[] {
  return [...env.services, ...env.singletonServices].map((s) => sampleContainer(s, 'old')).concat([{ ...sampleContainer(env.proxyService, 'proxy'), networks: { default: '<proxy-ip>' } }]);
}

/** What inspectHostScript prints on the dry run's host (the inverse of parseHostFacts). */
function sampleHostFacts(env: Environment): string {
  const services = Object.fromEntries([...env.services, ...env.singletonServices, env.proxyService].map((s) => [s, {}]));
  return [
    '### preflight', 'compose=plugin', 'docker=(dry run)',
    '### config', JSON.stringify({ services }),
    '### containers', ...sampleContainers(env).map(containerLine),
    '### releases', '### lock', '### upstream', '### envfiles', '### images', '### end', '',
  ].join('\n');
}

/** Takes the lock atomically (mkdir); prints `locked` or `held` and the holder's info. */
export function lockScript(env: Environment, owner: string, info: object): Script {
  const p = statePaths(env);
  return [
    ['mkdir', '-p', p.dir],
    [raw('if mkdir'), p.lock, raw('2>/dev/null; then')],
    ['printf', '%s', owner, raw('>'), p.lockOwner],
    ['printf', '%s\\n', JSON.stringify(info), raw('>'), p.lockInfo],
    ['echo', 'locked'],
    [raw('else echo held; cat'), p.lockInfo, raw('2>/dev/null || true; fi')],
  ];
}

export type LockAnswer = { locked: true } | { locked: false; holder: string };

export function parseLock(stdout: string): LockAnswer {
  if (/^locked$/m.test(stdout) && !stdout.startsWith('held')) return { locked: true };
  return { locked: false, holder: stdout.replace(/^held\n?/, '').trim() };
}

export function lockStep(env: Environment, owner: string, info: object): Step<LockAnswer> {
  return { label: 'take the deploy lock', script: lockScript(env, owner, info), parse: parseLock, sample: 'locked\n', timeoutMs: 60_000 };
}

/** Whether the lock was ours and is gone (`released`), or held by someone else (`not-ours`). */
export function unlockStep(env: Environment, owner: string): Step<'released' | 'not-ours'> {
  return { label: 'release the deploy lock', script: unlockScript(env, owner), parse: (out) => (out.trim() === 'released' ? 'released' : 'not-ours'), sample: 'released\n', timeoutMs: 60_000 };
}

/** Releases the lock only when we hold it. */
export function unlockScript(env: Environment, owner: string): Script {
  const p = statePaths(env);
  return [[raw('if [ "$(cat'), p.lockOwner, raw('2>/dev/null)" ='), owner, raw(']; then rm -rf'), p.lock, raw('; echo released; else echo not-ours; fi')]];
}

/**
 * Pulls an image (after `docker login` into a throw-away DOCKER_CONFIG when a registry is configured)
 * and prints `image_id=` and `digest=` lines.
 */
export function pullScript(imageRef: string, registry?: { server: string; username: string; password: string }, pull = true): Script {
  const script: Script = [];
  if (pull && registry) {
    script.push(
      [raw('export DOCKER_CONFIG="$(mktemp -d)"')],
      [raw("trap 'rm -rf \"$DOCKER_CONFIG\"' EXIT")],
      ['printf', '%s', secret(registry.password), raw('|'), 'docker', 'login', '--username', registry.username, '--password-stdin', '--', registry.server, raw('>/dev/null')],
    );
  }
  if (pull) script.push(['docker', 'pull', '--quiet', '--', imageRef, raw('>/dev/null')]);
  else script.push([raw('docker image inspect --'), imageRef, raw('>/dev/null 2>&1 || { echo'), `error=image ${imageRef} is not on this host`, raw('; exit 3; }')]);
  script.push(
    [raw('echo "image_id=$(docker image inspect --format \'{{.Id}}\' --'), imageRef, raw(')"')],
    [raw('echo "digest=$(docker image inspect --format \'{{join .RepoDigests " "}}\' --'), imageRef, raw(')"')],
  );
  return script;
}

/** The digest a pull printed (`digest=repo@sha256:..` -> `sha256:..`), when the registry gave one. */
export function parsePulled(stdout: string): { digest?: string } {
  const digest = /^digest=(\S*)/m.exec(stdout)?.[1];
  if (!digest) return {};
  return { digest: digest.includes('@') ? digest.slice(digest.indexOf('@') + 1) : digest };
}

export function pullStep(imageRef: string, registry: { server: string; username: string; password: string } | undefined, pull: boolean, then: Script = []): Step<{ digest?: string }> {
  return { label: pull ? `pull ${imageRef}` : `find ${imageRef}`, script: [...pullScript(imageRef, registry, pull), ...then], parse: parsePulled, sample: 'image_id=(dry run)\ndigest=\n' };
}

export function migrateStep(project: ComposeProject, command: string, timeoutMs: number): Step<void> {
  return plainStep('migrate', migrateScript(project, command, timeoutMs), timeoutMs + 60_000);
}

/** Runs the migration command once, in a one-off container of the web service with the new image. */
export function migrateScript(target: Parameters<typeof compose>[0], command: string, timeoutMs: number): Script {
  return [
    ['cd', target.env.appDir],
    ['timeout', '--signal=TERM', '--kill-after=30', `${Math.ceil(timeoutMs / 1000)}`, ...compose(target, 'run', '--rm', '--no-deps', '-T', '--', target.env.webService, 'sh', '-c', command), raw('</dev/null 2>&1')],
  ];
}
