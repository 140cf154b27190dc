import { stringify } from 'yaml';
import type { Environment } from '../config/types.js';
import { raw, type Argv, type Script } from './shell.js';
import { envFilePath, overridePath, statePaths } from './paths.js';
import type { Step } from './step.js';

/** How the host runs compose: the v2 plugin or the standalone v2 binary. */
export type ComposeFlavor = 'plugin' | 'standalone';

/** One compose project on one host: how to call compose for it. */
export interface ComposeProject {
  app: string;
  env: Environment;
  flavor: ComposeFlavor;
  /** The override pinning the app services' image; none to use the compose file as it is. */
  override?: string;
}

export function compose(t: ComposeProject, ...args: Argv): Argv {
  const paths = statePaths(t.env);
  return [
    ...(t.flavor === 'plugin' ? ['docker', 'compose'] : ['docker-compose']),
    '--project-name', t.app,
    '--project-directory', t.env.appDir,
    '-f', paths.composeFile,
    ...(t.override ? ['-f', t.override] : []),
    ...args,
  ];
}

/** A release as the override pins it: its image and, when it has one, its environment file's hash. */
export interface PinnedRelease {
  version: string;
  image: string;
  envSha256?: string;
}

/**
 * The override file's text: every app service (and singleton) runs `imageRef` and, given one, reads
 * the release's environment file (after the compose file's own env_file entries, so its values win).
 */
export function overrideYaml(env: Environment, imageRef: string, extraServices: Record<string, unknown> = {}, envFile?: string): string {
  const services: Record<string, unknown> = {};
  for (const name of [...env.services, ...env.singletonServices]) services[name] = { image: imageRef, ...(envFile ? { env_file: [envFile] } : {}) };
  return `# Written by parking-ci: pins the app services to one release.\n${stringify({ services: { ...services, ...extraServices } })}`;
}

/** The environment file a release's services read, when the release has one. */
export function releaseEnvFile(env: Environment, release: PinnedRelease): string | undefined {
  return release.envSha256 ? envFilePath(env, release.version, release.envSha256) : undefined;
}

/** Writes the override that pins the app services to a release (its image and its environment). */
export function releaseOverrideScript(env: Environment, release: PinnedRelease): Script {
  return writeFileScript(overridePath(env, release.version), overrideYaml(env, release.image, {}, releaseEnvFile(env, release)));
}

/** Writes a file atomically (temp + rename), creating its directory. */
export function writeFileScript(path: string, content: string): Script {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return [
    ['mkdir', '-p', '--', dir],
    ['printf', '%s', content, raw('>'), `${path}.tmp`],
    ['mv', '-f', '--', `${path}.tmp`, path],
  ];
}

/** Compose labels select the project's containers of one service. */
export function psService(app: string, service: string): Argv {
  return [
    'docker', 'ps', '-q', '--no-trunc',
    '--filter', `label=com.docker.compose.project=${app}`,
    '--filter', `label=com.docker.compose.service=${service}`,
  ];
}

export const CONTAINER_FORMAT =
  '{{.Id}}\t{{index .Config.Labels "com.docker.compose.service"}}\t{{.Config.Image}}\t{{.State.Status}}\t{{.Image}}\t{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}\t{{.State.StartedAt}}';

export interface ContainerInfo {
  id: string;
  service: string;
  image: string;
  state: string;
  imageId: string;
  networks: Record<string, string>;
  startedAt: string;
}

export function parseContainers(text: string): ContainerInfo[] {
  return text
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((line) => {
      const [id = '', service = '', image = '', state = '', imageId = '', nets = '', startedAt = ''] = line.split('\t');
      const networks: Record<string, string> = {};
      for (const pair of nets.trim().split(/\s+/).filter(Boolean)) {
        const at = pair.lastIndexOf('=');
        networks[pair.slice(0, at)] = pair.slice(at + 1);
      }
      return { id, service, image, state, imageId, networks, startedAt };
    });
}

/**
 * Starts `count` new containers of a service beside the running ones (the old keep serving), and
 * prints the new containers' lines in CONTAINER_FORMAT after `### new`.
 */
export function startBesideScript(t: ComposeProject, service: string, oldCount: number, count: number): Script {
  return [
    ['cd', t.env.appDir],
    [raw('before=$('), ...psService(t.app, service), raw('| sort)')],
    compose(t, 'up', '--detach', '--no-deps', '--no-recreate', '--pull', 'never', '--scale', `${service}=${oldCount + count}`, '--', service),
    [raw('after=$('), ...psService(t.app, service), raw('| sort)')],
    ['echo', '### new'],
    [raw('new=$(comm -13 <(printf "%s\\n" "$before") <(printf "%s\\n" "$after") | grep . || true)')],
    [raw('if [ -n "$new" ]; then docker inspect --format'), CONTAINER_FORMAT, raw('$new; fi')],
  ];
}

/** What putting a release's workers and singletons on a host takes (host-change.ts decides it). */
export interface WorkersChange {
  /** Services that get new containers of the release: how many each. */
  start: { service: string; count: number; running: number }[];
  /** Singletons started from scratch after the old ones went (the primary host only). */
  singletons: string[];
  /** Old containers of the worker services: stopped once the new ones run. */
  stop: string[];
  /** Singleton containers that go before the new singleton starts. */
  remove: string[];
}

/**
 * Workers and singletons in one round trip and one compose call: the old singletons go first (never
 * two at once), the new workers and singletons start, each worker service must have got a new
 * container before any old one stops (warm shutdown: SIGTERM, `stopTimeoutSec` to finish its tasks).
 * Prints the new containers after `### new`. Idempotent: run again, it starts nothing already there.
 */
const startedServices = (c: WorkersChange) => [...c.start.map((s) => s.service), ...c.singletons];

export function replaceWorkersScript(t: ComposeProject, c: WorkersChange, stopTimeoutSec: number): Script {
  const services = startedServices(c);
  const project = ['docker', 'ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${t.app}`];
  const up = services.length
    ? [
        [raw('before=$('), ...project, raw('| sort)')],
        compose(t, 'up', '--detach', '--no-deps', '--no-recreate', '--pull', 'never', ...c.start.flatMap((s) => ['--scale', `${s.service}=${s.running + s.count}`]), ...c.singletons.flatMap((s) => ['--scale', `${s}=1`]), '--', ...services),
        [raw('after=$('), ...project, raw('| sort)')],
        ['echo', NEW_MARKER],
        [raw('new=$(comm -13 <(printf "%s\\n" "$before") <(printf "%s\\n" "$after") | grep . || true)')],
        [raw('if [ -n "$new" ]; then docker inspect --format'), CONTAINER_FORMAT, raw('$new; fi')],
        // the services of the containers just started: a worker service without one keeps its old workers
        [raw('fresh=$(for id in $new; do docker inspect --format "{{index .Config.Labels \\"com.docker.compose.service\\"}}" "$id"; done)')],
        ...c.start.map((s) => [raw('if ! printf "%s\\n" "$fresh" | grep -qxF --'), s.service, raw('; then echo'), `compose started no new ${s.service} container`, raw('>&2; exit 3; fi')]),
      ]
    : [];
  return [['cd', t.env.appDir], ...removeContainersScript(c.remove, stopTimeoutSec), ...up, ...removeContainersScript(c.stop, stopTimeoutSec)];
}

export function replaceWorkersStep(t: ComposeProject, c: WorkersChange, stopTimeoutSec: number): Step<ContainerInfo[]> {
  const services = startedServices(c);
  return { label: 'replace workers and singletons', script: replaceWorkersScript(t, c, stopTimeoutSec), parse: parseNewContainers, sample: `${NEW_MARKER}\n${services.map((s) => containerLine(sampleContainer(s, 'new'))).join('\n')}\n` };
}

/** Stops and removes containers by id (compose 2.26 would pick the newest to remove on scale-down). */
export function removeContainersScript(ids: string[], stopTimeoutSec: number): Script {
  if (!ids.length) return [];
  return [
    ['docker', 'stop', '--time', String(stopTimeoutSec), '--', ...ids, raw('>/dev/null')],
    ['docker', 'rm', '--force', '--', ...ids, raw('>/dev/null')],
  ];
}

/** Starts a service from scratch (singletons, after the old one stopped). */
export function startServiceScript(t: ComposeProject, service: string): Script {
  return [
    ['cd', t.env.appDir],
    compose(t, 'up', '--detach', '--no-deps', '--pull', 'never', '--force-recreate', '--', service),
  ];
}

/** Where startBesideScript's output starts listing the new containers. */
const NEW_MARKER = '### new';

/** The containers a start printed after its `### new` marker. */
export function parseNewContainers(stdout: string): ContainerInfo[] {
  return parseContainers(stdout.split(`${NEW_MARKER}\n`)[1] ?? '');
}

export function startBesideStep(t: ComposeProject, service: string, oldCount: number, count: number): Step<ContainerInfo[]> {
  return { label: `start ${count} new ${service} container(s)`, script: startBesideScript(t, service, oldCount, count), parse: parseNewContainers, sample: `${NEW_MARKER}\n${containerLine(sampleContainer(service, 'new'))}\n` };
}

/**
 * Prints CONTAINER_FORMAT for each container of the project (`all`: stopped ones too). A container
 * removed between the listing and `docker inspect` (another run is replacing it) makes inspect fail
 * for the whole list: then the list is read once more, and a second failure is an error.
 */
export function projectContainersScript(app: string, all: boolean): Script {
  const ps = ['docker', 'ps', ...(all ? ['-aq'] : ['-q']), '--no-trunc', '--filter', `label=com.docker.compose.project=${app}`];
  const inspect = [raw('if [ -n "$ids" ]; then docker inspect --format'), CONTAINER_FORMAT, raw('$ids')];
  return [
    [raw('ids=$('), ...ps, raw(')')],
    [raw('if ! containers=$('), ...inspect, raw('2>/dev/null; fi); then ids=$('), ...ps, raw('); containers=$('), ...inspect, raw('; fi); fi')],
    [raw('if [ -n "$containers" ]; then printf "%s\\n" "$containers"; fi')],
  ];
}

/** Every container of the project on the host, stopped ones included. */
export function listContainersStep(app: string, sample: ContainerInfo[]): Step<ContainerInfo[]> {
  return {
    label: 'list containers',
    script: projectContainersScript(app, true),
    parse: parseContainers,
    sample: sample.map(containerLine).join('\n'),
  };
}

/** Starts stopped containers again (a kept blue-green color) and prints their lines. */
export function startAgainStep(containers: ContainerInfo[], label: string): Step<ContainerInfo[]> {
  const ids = containers.map((c) => c.id);
  return {
    label,
    script: [['docker', 'start', '--', ...ids, raw('>/dev/null')], ['docker', 'inspect', '--format', CONTAINER_FORMAT, '--', ...ids]],
    parse: parseContainers,
    sample: containers.map((c) => containerLine({ ...c, state: 'running' })).join('\n'),
  };
}

/** Removes containers that never took traffic, at once; ones already gone are no error (it can run again). */
export function discardContainersScript(ids: string[]): Script {
  return ids.length ? [['docker', 'rm', '--force', '--', ...ids, raw('>/dev/null 2>&1 || true')]] : [];
}

/** Stops containers and keeps them (a blue-green color kept for an instant way back). */
export function stopContainersScript(ids: string[], stopTimeoutSec: number): Script {
  return ids.length ? [['docker', 'stop', '--time', String(stopTimeoutSec), '--', ...ids, raw('>/dev/null')]] : [];
}

/** One line in CONTAINER_FORMAT (the inverse of parseContainers). */
export function containerLine(c: ContainerInfo): string {
  const networks = Object.entries(c.networks).map(([k, v]) => `${k}=${v} `).join('');
  return [c.id, c.service, c.image, c.state, c.imageId, networks, c.startedAt].join('\t');
}

/** A stand-in container for the dry run's canned answers. */
export function sampleContainer(service: string, tag: 'old' | 'new' | 'proxy'): ContainerInfo {
  return { id: `<${tag}-${service}-container>`, service, image: '<image>', state: 'running', imageId: '', networks: { default: `<${tag}-${service}-ip>` }, startedAt: '' };
}
