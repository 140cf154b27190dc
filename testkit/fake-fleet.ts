// A scripted fleet for the fault model: an Executor that runs the engine's real scripts against an
// in-memory model of each host (files, containers, images, nginx's loaded upstream), so the engine,
// its command builders and their parsers are exercised without root, sshd or dockerd. Any numbered
// remote step on any host can fail, fail after its effect (the connection dropped once the command
// ran), time out, or never return; the run can be cancelled at any step.
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { Host } from '../src/config/types.js';
import { containerLine, type ContainerInfo } from '../src/commands/compose.js';
import { parseUpstreamServers } from '../src/commands/nginx.js';
import { versionOf } from '../src/commands/releases.js';
import type { Arg, Script } from '../src/commands/shell.js';
import type { CommandResult, Executor, RunOptions } from '../src/remote/executor.js';

export type FaultKind = 'fail' | 'drop' | 'timeout' | 'hang';

/** The `step`-th remote command (1-based) on host `host` (an index) goes wrong this way. */
export interface Fault {
  host: number;
  step: number;
  kind: FaultKind;
}

export interface FleetOptions {
  hosts: Host[];
  app: string;
  appDir: string;
  image: string;
  /** Versions each host starts with in its history, oldest first (empty: never deployed by us). */
  history: string[];
  /** Version (tag) the seed's containers run. */
  running: string;
  /** Host indexes on which a version fails its health check. */
  unhealthy: Record<string, number[]>;
  /** Versions whose migration fails. */
  badMigrations?: string[];
  /** Every release in the seed history has an environment file (hash `envHash(version)`), and the seed's containers read it. */
  env?: boolean;
  /** Hooks (by name) that exit 1. */
  failingHooks?: string[];
  /**
   * Blue-green with `keep-idle-color: running`: the seed runs both colors, blue (created first) with the
   * release before the running one, idle, and green with the running one, which nginx routes to.
   */
  idleColorRunning?: boolean;
  faults?: Fault[];
  /** Cancel the run (abort) when the fleet receives its n-th command (1-based, all hosts). */
  cancelAt?: number;
  onCancel?: () => void;
}

interface FakeContainer extends ContainerInfo {
  removed?: boolean;
  /** The env file compose gave it (from the override it was started with). */
  envFile?: string;
}

/** The env-file hash of a seeded release. */
export function envHash(version: string): string {
  return createHash('sha256').update(`seed ${version}`).digest('hex');
}

/** One host's state. */
export class FakeHost {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();
  containers: FakeContainer[] = [];
  readonly images = new Set<string>();
  /** Containers that passed a health check (the seed's count as passed: they were serving). */
  readonly passed = new Set<string>();
  /** The upstream nginx loaded at its last reload. */
  loadedUpstream = '';
  pulls = 0;
  calls = 0;
  private nextIp = 10;
  private nextId = 1;
  constructor(readonly host: Host, readonly index: number) {}

  newContainer(service: string, image: string): FakeContainer {
    const c: FakeContainer = { id: `${this.index}c${this.nextId++}`, service, image, state: 'running', imageId: `sha256:${image}`, networks: { parking_default: `172.18.${this.index}.${this.nextIp++}` }, startedAt: '' };
    this.containers.push(c);
    return c;
  }

  live(): FakeContainer[] {
    return this.containers.filter((c) => !c.removed);
  }

  find(id: string): FakeContainer | undefined {
    return this.live().find((c) => c.id === id);
  }

  /** The containers nginx routes to now (by its loaded upstream). */
  routed(port: number): FakeContainer[] {
    const servers = parseUpstreamServers(this.loadedUpstream);
    return this.live().filter((c) => servers.includes(`${c.networks.parking_default}:${port}`));
  }
}

/** Event log shared by every host, for ordering checks (migration before any switch). */
export interface FleetEvent {
  seq: number;
  host: number;
  what: 'migrate' | 'reload' | 'hook' | 'stopped-serving';
  hook?: string;
  images?: string[];
}

export class FakeFleet {
  readonly hosts: FakeHost[];
  readonly events: FleetEvent[] = [];
  migrations = 0;
  private seq = 0;
  private commands = 0;
  private frozen = false;
  private hung?: () => void;
  /** Resolves when a step hangs: the test then kills the run. */
  readonly hang = new Promise<void>((res) => (this.hung = res));

  constructor(readonly o: FleetOptions) {
    this.hosts = o.hosts.map((h, i) => this.seed(new FakeHost(h, i)));
  }

  ref(version: string): string {
    return version.startsWith('sha256:') ? `${this.o.image}@${version}` : `${this.o.image}:${version}`;
  }

  private seed(h: FakeHost): FakeHost {
    const image = this.ref(this.o.running);
    h.dirs.add(this.o.appDir);
    for (const v of [...this.o.history, this.o.running]) h.images.add(this.ref(v));
    const proxy = h.newContainer('nginx', 'nginx:1');
    proxy.networks = { parking_default: `172.18.${h.index}.2` };
    // containers we did not start (nothing in the history names them) read no env file of ours
    const envFile = this.o.env && this.o.history.includes(this.o.running) ? this.envFilePath(this.o.running) : undefined;
    const previous = this.o.history.at(-2) ?? this.o.running;
    if (this.o.idleColorRunning) h.newContainer('web-blue', this.ref(previous));
    const web = h.newContainer(this.o.idleColorRunning ? 'web-green' : 'web', image);
    h.newContainer('worker', image);
    if (h.index === 0) h.newContainer('beat', image);
    if (envFile) for (const c of h.live()) if (c.service !== 'nginx') c.envFile = c.service === 'web-blue' ? this.envFilePath(previous) : envFile;
    if (this.o.env) for (const v of this.o.history) h.files.set(this.envFilePath(v), `# seed ${v}\n`);
    for (const c of h.live()) h.passed.add(c.id);
    h.loadedUpstream = `upstream app {\n    server ${web.networks.parking_default}:8000;\n}\n`;
    h.files.set(`${this.o.appDir}/nginx/conf.d/upstream.conf`, h.loadedUpstream);
    const color = (i: number) => (!this.o.idleColorRunning ? {} : i === this.o.history.length - 1 ? { color: 'green' } : i === this.o.history.length - 2 ? { color: 'blue' } : {});
    const lines = this.o.history.map((v, i) => JSON.stringify({ version: v, image: this.ref(v), digest: '', ...(this.o.env ? { 'env-sha256': envHash(v) } : {}), status: 'deployed', at: `2026-01-0${i + 1}T00:00:00Z`, 'git-sha': '', actor: 'seed', 'run-url': '', ...color(i) }));
    if (lines.length) h.files.set(this.releasesPath, `${lines.join('\n')}\n`);
    return h;
  }

  envFilePath(version: string, sha256 = envHash(version)): string {
    return `${this.o.appDir}/.parking-ci/env/${version}-${sha256.slice(0, 16)}.env`;
  }

  get releasesPath(): string {
    return `${this.o.appDir}/.parking-ci/releases.jsonl`;
  }

  get lockPath(): string {
    return `${this.o.appDir}/.parking-ci/lock`;
  }

  /** The executor of the run: numbered steps, with the faults. */
  executor(): Executor {
    return { dryRun: false, connect: async () => undefined, close: async () => undefined, run: (host, script, options) => this.run(host, script, options, true) };
  }

  /** The executor of the post step: the same hosts, no faults (the fault was in the killed run). */
  postExecutor(): Executor {
    return { dryRun: false, connect: async () => undefined, close: async () => undefined, run: (host, script, options) => this.run(host, script, options, false) };
  }

  /** The run was killed: nothing it sends any more reaches a host. */
  kill(): void {
    this.frozen = true;
  }

  private async run(host: Host, script: Script, options: RunOptions, faulty: boolean): Promise<CommandResult> {
    if (faulty && this.frozen) return new Promise(() => undefined);
    const h = this.hosts.find((x) => x.host.id === host.id)!;
    if (faulty) {
      this.commands++;
      if (this.o.cancelAt === this.commands) this.o.onCancel?.();
      h.calls++;
    }
    const fault = faulty ? this.o.faults?.find((f) => f.host === h.index && f.step === h.calls) : undefined;
    if (fault?.kind === 'fail') return { code: 255, stdout: '', stderr: `ssh: connection to ${host.id} lost` };
    // let other hosts' steps interleave, as over real connections
    await Promise.resolve();
    if (faulty && this.frozen) return new Promise(() => undefined);
    const result = this.perform(h, script, options);
    if (fault?.kind === 'drop') return { code: 255, stdout: '', stderr: `ssh: connection to ${host.id} lost after the command ran` };
    if (fault?.kind === 'timeout') return { code: 124, stdout: result.stdout, stderr: `${options.label} timed out` };
    if (fault?.kind === 'hang') {
      this.hung?.();
      return new Promise(() => undefined);
    }
    return result;
  }

  private perform(h: FakeHost, script: Script, options: RunOptions): CommandResult {
    const label = options.label;
    if (label === 'inspect host') return ok(this.inspect(h));
    if (label === 'take the deploy lock') return ok(this.lock(h, script));
    if (label === 'release the deploy lock') return ok(this.unlock(h, script));
    if (label === 'health check') return this.health(h, script);
    if (label === 'migrate') return this.migrate(h, script);
    if (label.endsWith(' hook')) return this.hook(h, label.slice(0, -' hook'.length));
    if (label === 'list containers') return ok(h.live().map(containerLine).join('\n'));
    if (label === 'read history') return ok(`${h.files.get(this.releasesPath) ?? ''}### in-use\n${running(h).map((c) => c.image).join('\n')}\n### env-files\n${this.envFiles(h).join('\n')}\n`);
    if (label === 'read what serves') return ok(`${h.files.get(`${this.o.appDir}/nginx/conf.d/upstream.conf`) ?? ''}\n### containers\n${running(h).map(containerLine).join('\n')}\n`);
    return this.lines(h, script);
  }

  /** A script line by line, for the commands our builders write. */
  private lines(h: FakeHost, script: Script): CommandResult {
    let out = '';
    let created: FakeContainer[] = [];
    for (const line of script) {
      const w = line.map(word);
      const tolerant = w.some((t) => t.includes('|| true'));
      const r = this.line(h, w, tolerant);
      if (r.code !== 0) return { code: r.code, stdout: out, stderr: r.stderr ?? '' };
      if (r.created) created = r.created;
      if (w[0] === 'echo' && w[1] === '### new') out += '### new\n';
      // the line that prints the started containers (`docker inspect --format ... $new`), not every line reading $new
      else if (w[0]?.startsWith('if [ -n "$new" ]; then docker inspect')) out += created.map(containerLine).join('\n') + (created.length ? '\n' : '');
      out += r.stdout ?? '';
    }
    return ok(out);
  }

  private line(h: FakeHost, w: string[], tolerant: boolean): { code: number; stdout?: string; stderr?: string; created?: FakeContainer[] } {
    const after = (flag: string) => w.slice(w.indexOf(flag) + 1).filter((t) => !t.startsWith('>') && !t.includes('|| true') && !t.startsWith('2>'));
    if (w[0] === 'printf' && w[3] === '>') return h.files.set(w[4]!, w[2]!), { code: 0 };
    if (w[0]?.startsWith('( umask 077 && printf')) return h.files.set(w[3]!, w[1]!), { code: 0 };
    if (w[0] === 'rm' && w[1] === '-f' && w[2] === '--') return w.slice(3).forEach((f) => h.files.delete(f)), { code: 0 };
    if (w[0] === 'printf' && w[3] === '>>') return h.files.set(w[4]!, `${h.files.get(w[4]!) ?? ''}${w[2]}\n`), { code: 0 };
    if (w[0] === 'mv') return h.files.set(w[4]!, h.files.get(w[3]!) ?? ''), h.files.delete(w[3]!), { code: 0 };
    if (w[0] === 'docker' && ['stop', 'rm', 'start'].includes(w[1]!)) return this.containerCommand(h, w[1]!, after('--'), tolerant);
    if (w[0] === 'docker' && w[1] === 'inspect') return { code: 0, stdout: after('--').map((id) => containerLine(h.find(id)!)).join('\n') + '\n' };
    if (w[0] === 'docker' && w[1] === 'exec' && w.includes('reload')) return this.reload(h), { code: 0 };
    if (w[0] === 'docker' && w[1] === 'pull') return h.images.add(after('--')[0]!), h.pulls++, { code: 0 };
    if (w[0] === 'docker image inspect --') return h.images.has(w[1]!) ? { code: 0 } : { code: 3, stdout: `error=image ${w[1]} is not on this host\n` };
    if (w[0]?.startsWith('echo "digest=')) return { code: 0, stdout: `digest=${w[1]}@sha256:${'d'.repeat(64)}\n` };
    if (w[0] === 'docker' && w[1] === 'image' && w[2] === 'rm') return after('--').forEach((i) => h.images.delete(i)), { code: 0 };
    if (w[0] === 'docker' && w[1] === 'compose') {
      try {
        return { code: 0, created: this.composeUp(h, w) };
      } catch (err) {
        return { code: 1, stderr: (err as Error).message };
      }
    }
    return { code: 0 };
  }

  private containerCommand(h: FakeHost, verb: string, ids: string[], tolerant: boolean): { code: number; stderr?: string } {
    const missing = ids.filter((id) => !h.find(id));
    if (missing.length && !tolerant) return { code: 1, stderr: `Error: No such container: ${missing[0]}` };
    for (const c of ids.map((id) => h.find(id)).filter((c): c is FakeContainer => !!c)) {
      // a web container nginx still routes to that stops or goes: its requests fail (HTTP 502)
      if (verb !== 'start' && c.state === 'running' && h.routed(8000).includes(c)) this.events.push({ seq: ++this.seq, host: h.index, what: 'stopped-serving', images: [c.image] });
      if (verb === 'rm') c.removed = true;
      else c.state = verb === 'stop' ? 'exited' : 'running';
    }
    return { code: 0 };
  }

  /** `compose ... up [--scale svc=N ...] -- svc...` (beside: --no-recreate) or `up --force-recreate -- svc` (singleton). */
  private composeUp(h: FakeHost, w: string[]): FakeContainer[] {
    const services = w.slice(w.indexOf('--') + 1).filter((t) => !t.startsWith('>') && !t.includes('|| true'));
    const scales = new Map(w.flatMap((t, i) => (t === '--scale' ? [w[i + 1]!.split('=') as [string, string]] : [])).map(([k, v]) => [k, Number(v)]));
    const created: FakeContainer[] = [];
    for (const service of services) {
      const image = this.serviceImage(h, w, service);
      const envFile = this.serviceEnvFile(h, w, service);
      const start = () => Object.assign(h.newContainer(service, image), envFile ? { envFile } : {});
      const existing = h.live().filter((c) => c.service === service);
      if (w.includes('--force-recreate')) {
        existing.forEach((c) => (c.removed = true));
        created.push(start());
        continue;
      }
      const want = scales.get(service) ?? Math.max(1, existing.length);
      existing.forEach((c) => (c.state = 'running'));
      for (let n = existing.length; n < want; n++) created.push(start());
    }
    return created;
  }

  /** The env file a service gets from the last override naming one (compose fails when it is missing). */
  private serviceEnvFile(h: FakeHost, w: string[], service: string): string | undefined {
    const files = w.flatMap((t, i) => (t === '-f' ? [w[i + 1]!] : [])).slice(1);
    for (const f of files.reverse()) {
      const doc = parseYaml(h.files.get(f) ?? '') as { services?: Record<string, { env_file?: string[] }> } | null;
      const envFile = doc?.services?.[service]?.env_file?.[0];
      if (envFile) {
        if (!h.files.has(envFile)) throw new Error(`compose: env file ${envFile} not found`);
        return envFile;
      }
    }
    return undefined;
  }

  private envFiles(h: FakeHost): string[] {
    const dir = `${this.o.appDir}/.parking-ci/env/`;
    return [...h.files.keys()].filter((f) => f.startsWith(dir)).map((f) => f.slice(dir.length));
  }

  private hook(h: FakeHost, name: string): CommandResult {
    this.events.push({ seq: ++this.seq, host: h.index, what: 'hook', hook: name });
    return (this.o.failingHooks ?? []).includes(name) ? { code: 1, stdout: `${name}: simulated failure\n`, stderr: '' } : ok(`${name} ok\n`);
  }

  /** The image a service gets: from the last override file that names it, else the seed's. */
  private serviceImage(h: FakeHost, w: string[], service: string): string {
    const files = w.flatMap((t, i) => (t === '-f' ? [w[i + 1]!] : [])).slice(1);
    for (const f of files.reverse()) {
      const doc = parseYaml(h.files.get(f) ?? '') as { services?: Record<string, { image?: string }> } | null;
      const image = doc?.services?.[service]?.image;
      if (image) return image;
    }
    return this.ref(this.o.running);
  }

  private reload(h: FakeHost): void {
    h.loadedUpstream = h.files.get(`${this.o.appDir}/nginx/conf.d/upstream.conf`) ?? '';
    this.events.push({ seq: ++this.seq, host: h.index, what: 'reload', images: h.routed(8000).map((c) => c.image) });
  }

  private inspect(h: FakeHost): string {
    const services = Object.fromEntries(['web', 'worker', 'beat', 'nginx'].map((s) => [s, {}]));
    return [
      '### preflight', 'compose=plugin', 'disk_free_kb=10485760', 'docker=20.10.24',
      '### config', JSON.stringify({ services }),
      '### containers', ...h.live().map(containerLine),
      '### releases', (h.files.get(this.releasesPath) ?? '').trimEnd(),
      '### lock', '### upstream', (h.files.get(`${this.o.appDir}/nginx/conf.d/upstream.conf`) ?? '').trimEnd(), '### envfiles', ...this.envFiles(h), '### images', '### end', '',
    ].join('\n');
  }

  private lock(h: FakeHost, script: Script): string {
    if (h.dirs.has(this.lockPath)) return `held\n${h.files.get(`${this.lockPath}/info.json`) ?? ''}`;
    h.dirs.add(this.lockPath);
    h.files.set(`${this.lockPath}/owner`, word(script[2]![2]!));
    h.files.set(`${this.lockPath}/info.json`, word(script[3]![2]!));
    return 'locked\n';
  }

  private unlock(h: FakeHost, script: Script): string {
    const owner = word(script[0]![3]!);
    if (!h.dirs.has(this.lockPath) || h.files.get(`${this.lockPath}/owner`) !== owner) return 'not-ours\n';
    h.dirs.delete(this.lockPath);
    return 'released\n';
  }

  private health(h: FakeHost, script: Script): CommandResult {
    const id = /^id=(\S+)$/.exec(word(script[0]![0]!))![1]!.replace(/'/g, '');
    const c = h.find(id);
    const bad = c ? (this.o.unhealthy[versionOf(c.image)] ?? []).includes(h.index) : true;
    if (!c || c.state !== 'running' || bad) return ok('attempt 5 500\nunhealthy\n### response\nHTTP/1.0 500\n### logs\nboom\n');
    h.passed.add(id);
    return ok('attempt 5 200\nhealthy\n');
  }

  private migrate(h: FakeHost, script: Script): CommandResult {
    const w = script[1]!.map(word);
    const image = this.serviceImage(h, w, 'web');
    this.migrations++;
    this.events.push({ seq: ++this.seq, host: h.index, what: 'migrate' });
    return (this.o.badMigrations ?? []).includes(versionOf(image)) ? { code: 1, stdout: 'simulated migration failure\n', stderr: '' } : ok('migrated\n');
  }

  isLocked(h: FakeHost): boolean {
    return h.dirs.has(this.lockPath);
  }
}

function word(a: Arg): string {
  return typeof a === 'string' ? a : 'raw' in a ? a.raw : a.secret;
}

function ok(stdout: string): CommandResult {
  return { code: 0, stdout, stderr: '' };
}

function running(h: FakeHost): FakeContainer[] {
  return h.live().filter((c) => c.state === 'running');
}

