import type { Environment, Host } from '../config/types.js';
import { CONTAINER_FORMAT, compose, overrideYaml, parseContainers, removeContainersScript, startBesideScript, startServiceScript, writeFileScript, type ComposeTarget, type ContainerInfo } from '../commands/compose.js';
import { healthCheckScript, parseHealth, type HealthResult } from '../commands/health.js';
import { inspectHostScript, lockScript, migrateScript, parseHostFacts, pullScript, unlockScript, type HostFacts } from '../commands/host.js';
import { parseUpstreamServers, switchUpstreamScript, upstreamConfig } from '../commands/nginx.js';
import { overridePath } from '../commands/paths.js';
import { appendReleasesScript, currentRelease, findRelease, parseReleases, previousRelease, releasesToPrune, removeImagesScript, type Release } from '../commands/releases.js';
import { raw, type Script } from '../commands/shell.js';
import { UserError, errorMessage } from '../errors.js';
import { RemoteError } from '../remote/executor.js';
import { hostBatches, primaryHost } from './batches.js';
import type { HostOutcome, MigrationOutcome, RunRequest, RunResult } from './types.js';

/** The state of one host as read at the start of a run. */
interface HostContext {
  host: Host;
  primary: boolean;
  facts: HostFacts;
  history: Release[];
  proxy: ContainerInfo;
  /** What serves now: from the history, or from the running web container on a first deploy. */
  current: { version: string; image: string };
}

type Color = 'blue' | 'green';

/** What replacing the release on one host came to. */
interface HostChange {
  ok: boolean;
  error?: string;
  health?: HealthResult;
  color?: Color;
}

/** Work left after a host switched: the old containers drain while the run goes on, then stop. */
interface Retirement {
  script: Script;
  label: string;
  switchedAt: number;
}

/** `web-blue` -> blue when `web` is the web service. */
function colorService(env: Environment, service: string): Color | undefined {
  const m = new RegExp(`^${env.webService.replace(/[.]/g, '\\.')}-(blue|green)$`).exec(service);
  return m ? (m[1] as Color) : undefined;
}

/** The two color services, each extending the user's web service with its own image. */
function colorServices(env: Environment, images: Record<Color, string>): Record<string, unknown> {
  const base = { file: `${env.appDir}/${env.composeFile}`, service: env.webService };
  return {
    [`${env.webService}-blue`]: { extends: base, image: images.blue },
    [`${env.webService}-green`]: { extends: base, image: images.green },
  };
}

/** A release to put on a host. */
interface Target {
  version: string;
  image: string;
  digest?: string;
}

const STOP_TIMEOUT_SEC = 30;
const MIN_DISK_FREE_KB = 512 * 1024;
/** nginx reloads asynchronously: nothing a reload took traffic from stops sooner than this. */
const MIN_DRAIN_MS = 1000;

export function imageRef(image: string, version: string): string {
  return version.startsWith('sha256:') ? `${image}@${version}` : `${image}:${version}`;
}

/** The version part of an image reference (`repo:tag` -> tag, `repo@sha256:..` -> digest). */
export function versionOf(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(at + 1);
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'latest';
}

export class Deployment {
  private readonly started = Date.now();
  private readonly contexts = new Map<string, HostContext>();
  private readonly locked: Host[] = [];
  private readonly connected: Host[] = [];
  /** Time the containers themselves needed: pulling (slowest host) and boot-to-healthy per batch. */
  private readonly timings = { pullMs: 0, healthyMs: 0, migrateMs: 0 };
  private batchHealthyMs = 0;
  private readonly retirements = new Map<string, Retirement>();
  constructor(private readonly req: RunRequest) {}

  private get env(): Environment {
    return this.req.env;
  }

  /** Runs the whole deploy or rollback; never throws for a remote failure, returns it in the result. */
  async run(): Promise<RunResult> {
    const { req } = this;
    try {
      await this.connectAll();
      await this.inspectAll();
      if (req.kind === 'rollback' && req.version === 'list') return this.finish('deployed', this.currentVersionLabel(), { histories: this.histories() });
      const targets = this.resolveTargets();
      await this.lockAll();
      return await this.deployLocked(targets);
    } catch (err) {
      return this.finish('failed', req.version, { error: errorMessage(err) });
    } finally {
      await this.unlockAll();
      await Promise.all(this.connected.map((h) => req.executor.close(h).catch(() => undefined)));
    }
  }

  // ---- preflight -------------------------------------------------------------------------------

  private async connectAll(): Promise<void> {
    await this.req.log.group(`Connect to ${this.env.hosts.length} host(s)`, async () => {
      const results = await Promise.allSettled(
        this.env.hosts.map(async (h) => {
          await this.req.executor.connect(h);
          this.connected.push(h);
          this.req.log.info(`${h.id}: connected as ${h.user}, host key verified`);
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }

  private async inspectAll(): Promise<void> {
    const { req, env } = this;
    const primary = primaryHost(env);
    await req.log.group('Preflight: inspect every host', async () => {
      await Promise.all(
        env.hosts.map(async (host) => {
          const facts = req.executor.dryRun ? dryRunFacts(env) : parseHostFacts((await this.exec(host, inspectHostScript(req.config.app, env), 'inspect host')).stdout);
          const context = this.checkHost(host, facts, host === primary);
          this.contexts.set(host.id, context);
          req.log.info(`${host.id}: docker ${facts.dockerVersion ?? '?'}, compose ${facts.compose ?? '?'}, serving ${context.current.version}, ${Math.round((facts.diskFreeKb ?? 0) / 1024)} MiB free`);
        }),
      );
    });
  }

  /** Everything that would make the deploy fail later, found before anything changes. */
  private checkHost(host: Host, facts: HostFacts, primary: boolean): HostContext {
    const { env, req } = this;
    const fail = (msg: string) => {
      throw new UserError(`${host.id}: ${msg}; nothing was changed`);
    };
    if (facts.error) fail(facts.error);
    if (!facts.complete) fail('the host inspection did not finish');
    if (facts.diskFreeKb !== undefined && facts.diskFreeKb < MIN_DISK_FREE_KB) fail(`only ${Math.round(facts.diskFreeKb / 1024)} MiB free in ${env.appDir}; at least 512 MiB are needed to pull a release`);
    const config = facts.composeConfig;
    if (!config) fail(`\`docker compose config\` failed: ${facts.composeConfigError ?? 'no output'}`);
    const services = config!.services ?? {};
    for (const name of [...env.services, ...env.singletonServices, env.proxyService]) {
      if (!services[name]) fail(`the compose file has no service "${name}" (services there: ${Object.keys(services).join(', ')})`);
    }
    for (const name of env.services) {
      const s = services[name]!;
      if (s.container_name) fail(`service "${name}" sets container_name "${s.container_name}"; remove it so a new container can start beside the old one`);
      if (s.ports?.length) fail(`service "${name}" publishes host ports; remove \`ports:\` (nginx reaches it on the compose network) so a new container can start beside the old one`);
    }
    const proxy = facts.containers.find((c) => c.service === env.proxyService && c.state === 'running');
    if (!proxy) fail(`the proxy service "${env.proxyService}" is not running; start the stack once (\`docker compose up -d\`) before the first deploy`);
    const history = parseReleases(facts.releasesText);
    const release = currentRelease(history);
    const web = facts.containers.find((c) => c.service === env.webService && c.state === 'running');
    const current = release ? { version: release.version, image: release.image } : web ? { version: versionOf(web.image), image: web.image } : { version: 'none', image: '' };
    if (req.kind === 'rollback' && req.version !== 'list' && !release) fail('has no release history yet (nothing deployed by parking-ci to roll back to)');
    return { host, primary, facts, history, proxy: proxy!, current };
  }

  /** The release each host goes to; a rollback target must be in every host's history. */
  private resolveTargets(): Map<string, Target> {
    const { req, env, config } = { req: this.req, env: this.env, config: this.req.config };
    const targets = new Map<string, Target>();
    if (req.kind === 'deploy') {
      for (const h of env.hosts) targets.set(h.id, { version: req.version, image: imageRef(config.image, req.version) });
      return targets;
    }
    const missing: string[] = [];
    for (const h of env.hosts) {
      const ctx = this.contexts.get(h.id)!;
      const release = req.version === 'previous' ? previousRelease(ctx.history) : findRelease(ctx.history, req.version);
      if (!release) missing.push(h.id);
      else targets.set(h.id, { version: release.version, image: release.image, digest: release.digest });
    }
    if (missing.length) {
      throw new UserError(
        req.version === 'previous'
          ? `no earlier good release to roll back to on ${missing.join(', ')}; see \`to: list\``
          : `version ${req.version} is not in the release history of ${missing.join(', ')}; choose one listed by \`to: list\``,
      );
    }
    return targets;
  }

  private async lockAll(): Promise<void> {
    const { req, env } = this;
    const info = { actor: req.identity.actor, 'run-url': req.identity.runUrl, version: req.version, action: req.kind, at: new Date().toISOString() };
    const results = await Promise.all(
      env.hosts.map(async (host) => {
        const r = await this.exec(host, lockScript(env, req.identity.owner, info), 'take the deploy lock');
        if (req.executor.dryRun || r.stdout.startsWith('locked')) {
          this.locked.push(host);
          return null;
        }
        return { host, holder: r.stdout.replace(/^held\n?/, '').trim() };
      }),
    );
    req.onLocked?.(this.locked.map((h) => h.id));
    const held = results.find((r) => r);
    if (held) {
      let who = held.holder;
      try {
        const h = JSON.parse(held.holder) as Record<string, string>;
        who = `${h.actor ?? '?'} (${h.action ?? 'deploy'} of ${h.version ?? '?'} since ${h.at ?? '?'}, ${h['run-url'] ?? 'no run URL'})`;
      } catch {
        // keep the raw text
      }
      throw new UserError(
        `${held.host.id}: another deploy holds the lock: ${who}. Wait for it to finish; if that run is dead, remove ${env.appDir}/.parking-ci/lock on the host`,
      );
    }
  }

  private async unlockAll(): Promise<void> {
    const { req, env } = this;
    const hosts = this.locked.splice(0);
    await Promise.all(hosts.map((h) => this.exec(h, unlockScript(env, req.identity.owner), 'release the deploy lock').catch((e) => req.log.warning(`${h.id}: could not release the lock: ${errorMessage(e)}`))));
    req.onLocked?.([]);
  }

  // ---- the change ------------------------------------------------------------------------------

  private async deployLocked(targets: Map<string, Target>): Promise<RunResult> {
    const { req, env } = this;
    const outcomes = new Map<string, HostOutcome>();
    const primary = primaryHost(env);
    const previousVersion = this.currentVersionLabel();
    const version = req.kind === 'deploy' ? req.version : targets.get(primary.id)!.version;

    // 1. Images everywhere before anything changes (a rollback never needs the registry).
    const pullStarted = Date.now();
    await req.log.group(req.kind === 'deploy' ? `Pull ${imageRef(req.config.image, req.version)} on every host` : 'Check the release images are on every host', async () => {
      const registry = req.config.registry && req.registryPassword ? { ...req.config.registry, password: req.registryPassword } : undefined;
      await Promise.all(
        env.hosts.map(async (host) => {
          const target = targets.get(host.id)!;
          const r = await this.exec(host, [...pullScript(target.image, registry, req.kind === 'deploy'), ...writeFileScript(overridePath(env, target.version), overrideYaml(env, target.image))], req.kind === 'deploy' ? `pull ${target.image}` : `find ${target.image}`);
          const digest = /^digest=(\S*)/m.exec(r.stdout)?.[1];
          if (digest) target.digest = digest.includes('@') ? digest.slice(digest.indexOf('@') + 1) : digest;
          req.log.info(`${host.id}: ${target.image} ready${target.digest ? ` (${target.digest})` : ''}`);
        }),
      );
    });

    this.timings.pullMs = Date.now() - pullStarted;

    // 2. Migrations once, with the new image, before any host switches.
    let migration: MigrationOutcome | undefined;
    if (req.kind === 'deploy' && env.migrate) {
      migration = await this.migrate(primary, targets.get(primary.id)!);
      this.timings.migrateMs = migration.durationMs;
      if (!migration.ok) {
        for (const h of env.hosts) outcomes.set(h.id, this.outcome(h, 'unchanged', targets.get(h.id)!, Date.now()));
        await this.record(env.hosts, (h) => ({ ...this.release(targets.get(h.id)!, 'failed') }));
        return this.finish('failed', version, { previousVersion, hosts: [...outcomes.values()], migration, error: `migration failed on ${primary.id}; no host was switched` });
      }
    }

    // 3. Batches of hosts, each in parallel.
    // A blue-green rollback switches every host at once: the kept color is there, no capacity is lost.
    const batches = req.kind === 'rollback' && req.strategy === 'blue-green' ? [env.hosts] : hostBatches(env.hosts, env.batchSize);
    let failures = 0;
    let aborted = false;
    for (const [i, batch] of batches.entries()) {
      if (req.signal?.aborted) {
        aborted = true;
        break;
      }
      this.batchHealthyMs = 0;
      await req.log.group(`Batch ${i + 1}/${batches.length}: ${batch.map((h) => h.id).join(', ')}`, async () => {
        await Promise.all(
          batch.map(async (host) => {
            const started = Date.now();
            const target = targets.get(host.id)!;
            const result = await this.replaceOnHost(host, target);
            const outcome = this.outcome(host, result.ok ? 'deployed' : 'failed', target, started, result);
            outcomes.set(host.id, outcome);
            if (!result.ok) failures++;
            req.log.info(`${host.id}: ${result.ok ? `now serving ${target.version}` : `FAILED (${result.error}); still serving ${outcome.from}`} in ${Date.now() - started} ms`);
          }),
        );
      });
      this.timings.healthyMs += this.batchHealthyMs;
      if (failures > env.maxFailedHosts) break;
    }

    // 4. Too many failures: every host switched in this run goes back.
    if (failures > env.maxFailedHosts || aborted) {
      const switched = env.hosts.filter((h) => outcomes.get(h.id)?.status === 'deployed');
      if (aborted) {
        for (const h of env.hosts) if (!outcomes.has(h.id)) outcomes.set(h.id, this.outcome(h, 'skipped', targets.get(h.id)!, Date.now()));
        await this.retireAll();
        await this.record(switched, (h) => this.release(targets.get(h.id)!, 'deployed', outcomes.get(h.id)?.color));
        return this.finish('failed', version, { previousVersion, hosts: [...outcomes.values()], migration, error: 'the run was cancelled; hosts already switched keep the new version, the others the old one' });
      }
      await req.log.group(`Roll back ${switched.length} switched host(s)`, async () => {
        await Promise.all(
          switched.map(async (host) => {
            const ctx = this.contexts.get(host.id)!;
            const started = Date.now();
            const back: Target = { version: ctx.current.version, image: ctx.current.image };
            this.retirements.delete(host.id); // the color it would stop is the one it goes back to
            await this.exec(host, writeFileScript(overridePath(env, back.version), overrideYaml(env, back.image)), 'write the previous release override');
            const result = await this.replaceOnHost(host, back);
            const o = outcomes.get(host.id)!;
            o.status = result.ok ? 'rolled-back' : 'failed';
            o.durationMs += Date.now() - started;
            if (!result.ok) o.error = `rollback failed: ${result.error}`;
          }),
        );
      });
      for (const h of env.hosts) if (!outcomes.has(h.id)) outcomes.set(h.id, this.outcome(h, 'skipped', targets.get(h.id)!, Date.now()));
      await this.retireAll();
      await this.record(env.hosts, (h) => this.release(targets.get(h.id)!, outcomes.get(h.id)?.status === 'failed' && !outcomes.get(h.id)?.error?.startsWith('rollback') ? 'failed' : 'rolled-back'));
      const bad = [...outcomes.values()].filter((o) => o.status === 'failed');
      return this.finish('rolled-back', version, {
        previousVersion,
        hosts: [...outcomes.values()],
        migration,
        error: `${failures} host(s) failed (max-failed-hosts is ${env.maxFailedHosts}): ${bad.map((o) => `${o.host.id}: ${o.error}`).join('; ')}; every switched host went back to ${previousVersion}`,
      });
    }

    // 5. Success (failures within max-failed-hosts keep their old version).
    await this.retireAll();
    await this.record(
      env.hosts.filter((h) => outcomes.get(h.id)?.status === 'deployed'),
      (h) => {
        const ctx = this.contexts.get(h.id)!;
        const release = this.release(targets.get(h.id)!, 'deployed', outcomes.get(h.id)?.color);
        // a rollback marks the release it leaves, so `previous` never walks back into it
        if (req.kind === 'rollback') return [this.release({ version: ctx.current.version, image: ctx.current.image }, 'rolled-back'), release];
        // the first deploy on a host records what it found running, so `rollback` can go back to it
        if (!currentRelease(ctx.history) && ctx.current.image) return [{ ...this.release({ version: ctx.current.version, image: ctx.current.image }, 'deployed'), action: 'adopt' }, release];
        return release;
      },
    );
    await this.prune();
    const failedHosts = [...outcomes.values()].filter((o) => o.status === 'failed');
    return this.finish('deployed', version, {
      previousVersion,
      hosts: [...outcomes.values()],
      migration,
      ...(failedHosts.length ? { error: undefined } : {}),
    });
  }

  /** Stops what switched hosts left draining, each once its drain time has passed. */
  private async retireAll(): Promise<void> {
    const drainMs = Math.max(this.env.drainMs, MIN_DRAIN_MS);
    const pending = [...this.retirements.entries()];
    this.retirements.clear();
    await Promise.all(
      pending.map(async ([id, r]) => {
        const host = this.env.hosts.find((h) => h.id === id)!;
        const wait = r.switchedAt + drainMs - Date.now();
        if (wait > 0) await new Promise((res) => setTimeout(res, wait));
        if (r.script.length) await this.exec(host, r.script, r.label).catch((e) => this.req.log.warning(`${id}: ${r.label}: ${errorMessage(e)}`));
      }),
    );
  }

  private async migrate(host: Host, target: Target): Promise<MigrationOutcome> {
    const { req, env } = this;
    const started = Date.now();
    return req.log.group(`Migrate on ${host.id}: ${env.migrate!.command}`, async () => {
      const ctx = this.contexts.get(host.id)!;
      const r = await req.executor.run(host, migrateScript(this.target(ctx, target), env.migrate!.command, env.migrate!.timeoutMs), { label: 'migrate', timeoutMs: env.migrate!.timeoutMs + 60_000 });
      const output = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-40).join('\n');
      if (output) req.log.info(output);
      return { host: host.id, ok: r.code === 0, durationMs: Date.now() - started, output };
    });
  }

  private target(ctx: HostContext, target: Target): ComposeTarget {
    return { app: this.req.config.app, env: this.env, flavor: ctx.facts.compose ?? 'plugin', override: overridePath(this.env, target.version) };
  }

  /** All the project's containers on a host, stopped ones included (re-read: earlier steps change them). */
  private async containers(host: Host, ctx: HostContext): Promise<ContainerInfo[]> {
    if (this.req.executor.dryRun) return ctx.facts.containers;
    const r = await this.exec(host, [['docker', 'ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.req.config.app}`, raw('| xargs -r docker inspect --format'), CONTAINER_FORMAT]], 'list containers');
    return parseContainers(r.stdout);
  }

  /**
   * Puts a release on one host. The web service is replaced by the strategy (rolling: new containers
   * beside the old ones; blue-green: the idle color); workers start new before the old ones stop;
   * singletons stop before they start, on the primary host only.
   */
  private async replaceOnHost(host: Host, target: Target): Promise<HostChange> {
    const { env, req } = this;
    const ctx = this.contexts.get(host.id)!;
    const t = this.target(ctx, target);
    try {
      const containers = await this.containers(host, ctx);
      const running = (service: string) => containers.filter((c) => c.service === service && c.state === 'running');
      const web =
        req.strategy === 'blue-green'
          ? await this.switchColor(host, ctx, target, containers)
          : await this.rollWeb(host, ctx, target, containers.filter((c) => c.state === 'running' && (c.service === env.webService || colorService(env, c.service))));
      if (!web.ok) return web;

      for (const service of env.services.filter((s) => s !== env.webService)) {
        const old = running(service);
        const r = await this.exec(host, startBesideScript(t, service, old.length, Math.max(1, old.length)), `start new ${service}`);
        const fresh = req.executor.dryRun ? [] : parseContainers(r.stdout.split('### new\n')[1] ?? '');
        if (!req.executor.dryRun && !fresh.length) return { ok: false, error: `compose started no new ${service} container` };
        await this.exec(host, removeContainersScript(old.map((c) => c.id), STOP_TIMEOUT_SEC), `stop old ${service}`);
      }

      for (const service of env.singletonServices) {
        const old = containers.filter((c) => c.service === service);
        await this.exec(host, removeContainersScript(old.map((c) => c.id), STOP_TIMEOUT_SEC), `stop ${service}`);
        if (ctx.primary) await this.exec(host, startServiceScript(t, service), `start ${service} (singleton)`);
      }
      return web;
    } catch (err) {
      return { ok: false, error: errorMessage(err) };
    }
  }

  /** Health-checks new web containers directly on the network nginx shares with them. */
  private async checkNew(host: Host, ctx: HostContext, fresh: ContainerInfo[], version: string): Promise<HostChange & { servers: string[] }> {
    const { env, req } = this;
    const servers: string[] = [];
    for (const c of fresh) {
      const address = sharedNetworkAddress(c, ctx.proxy);
      if (!address) return { ok: false, servers, error: `the new ${env.webService} container shares no network with ${env.proxyService}` };
      const r = await req.executor.run(
        host,
        healthCheckScript({ containerId: c.id, address, port: env.health.port, path: env.health.path, expectStatus: env.health.expectStatus, timeoutMs: env.health.timeoutMs, intervalMs: env.health.intervalMs }),
        { label: 'health check', timeoutMs: env.health.timeoutMs + 30_000 },
      );
      const health = req.executor.dryRun ? { healthy: true, attempts: [], lastResponse: '', logs: '' } : parseHealth(r.stdout);
      if (!health.healthy) {
        return { ok: false, servers, health, error: `health check of ${version} failed after ${health.attempts.length} attempt(s) (last: ${health.attempts.at(-1)?.status ?? 'none'})` };
      }
      this.batchHealthyMs = Math.max(this.batchHealthyMs, health.attempts.at(-1)?.ms ?? 0);
      req.log.info(`${host.id}: ${c.service} ${c.id.slice(0, 12)} (${version}) healthy at ${address}:${env.health.port} after ${health.attempts.at(-1)?.ms ?? 0} ms`);
      servers.push(`${address}:${env.health.port}`);
    }
    return { ok: true, servers };
  }

  private upstreamNote(target: Target): string {
    return `${this.req.config.app} ${target.version} (${this.req.kind} by ${this.req.identity.actor})`;
  }

  /** Rolling: new containers beside the old, health, nginx old+new then new only, drain, stop old. */
  private async rollWeb(host: Host, ctx: HostContext, target: Target, oldWeb: ContainerInfo[]): Promise<HostChange> {
    const { env, req } = this;
    // as many new containers as the host served with when the run began (a host switched back in an
    // auto-rollback still has its draining old ones among oldWeb)
    const count = Math.max(1, ctx.facts.containers.filter((c) => c.state === 'running' && (c.service === env.webService || colorService(env, c.service))).length);
    const plain = oldWeb.filter((c) => c.service === env.webService).length;
    const started = await this.exec(host, startBesideScript(this.target(ctx, target), env.webService, plain, count), `start ${count} new ${env.webService} container(s)`);
    const fresh = req.executor.dryRun ? [dryRunContainer(env.webService, 'NEW')] : parseContainers(started.stdout.split('### new\n')[1] ?? '');
    if (!fresh.length) return { ok: false, error: `compose started no new ${env.webService} container` };
    const checked = await this.checkNew(host, ctx, fresh, target.version);
    if (!checked.ok) {
      await this.exec(host, removeContainersScript(fresh.map((n) => n.id), 5), 'remove the new containers that never took traffic');
      return checked;
    }
    const oldServers = oldWeb.map((c) => sharedNetworkAddress(c, ctx.proxy)).filter((a): a is string => !!a).map((a) => `${a}:${env.health.port}`);
    const note = this.upstreamNote(target);
    await this.exec(host, switchUpstreamScript(env, ctx.proxy.id, upstreamConfig(env.upstreamName, [...oldServers, ...checked.servers], note)), 'nginx: old + new');
    await this.exec(host, switchUpstreamScript(env, ctx.proxy.id, upstreamConfig(env.upstreamName, checked.servers, note)), 'nginx: new only');
    // the old containers drain while this host's workers and the next batches go on
    this.retirements.set(host.id, { switchedAt: Date.now(), label: `drain and stop the old ${env.webService}`, script: removeContainersScript(oldWeb.map((c) => c.id), STOP_TIMEOUT_SEC) });
    return { ok: true };
  }

  /**
   * Blue-green: the release goes to the idle color (a kept container of that release is simply
   * started again: no pull, no recreate), is checked, nginx switches to it, and the live color drains
   * and is stopped but kept (or left running) for an instant way back.
   */
  private async switchColor(host: Host, ctx: HostContext, target: Target, containers: ContainerInfo[]): Promise<HostChange> {
    const { env, req } = this;
    const colorOf = (c: ContainerInfo) => colorService(env, c.service);
    const live = containers.filter((c) => c.state === 'running' && (c.service === env.webService || colorOf(c)));
    const liveColor = live.map(colorOf).find((c) => c) ?? undefined;
    const idle: Color = liveColor === 'blue' ? 'green' : 'blue';
    const idleService = `${env.webService}-${idle}`;
    const kept = containers.filter((c) => c.service === idleService);
    const count = Math.max(1, live.filter((c) => colorOf(c) === liveColor || !liveColor).length);

    let fresh: ContainerInfo[];
    if (kept.length && kept.every((c) => c.image === target.image)) {
      const r = await this.exec(host, [['docker', 'start', ...kept.map((c) => c.id), raw('>/dev/null')], ['docker', 'inspect', '--format', CONTAINER_FORMAT, ...kept.map((c) => c.id)]], `start the kept ${idle} containers`);
      fresh = req.executor.dryRun ? [dryRunContainer(idleService, 'KEPT')] : parseContainers(r.stdout);
      req.log.info(`${host.id}: ${target.version} is kept in ${idle}: started it again without pulling or recreating`);
    } else {
      const images = { blue: liveColor === 'blue' ? live[0]!.image : target.image, green: liveColor === 'green' ? live[0]!.image : target.image };
      await this.exec(host, writeFileScript(overridePath(env, target.version), overrideYaml(env, target.image, colorServices(env, images))), 'write the blue-green override');
      const r = await this.exec(host, [...removeContainersScript(kept.map((c) => c.id), 5), ...startBesideScript(this.target(ctx, target), idleService, 0, count)], `start ${target.version} in ${idle}`);
      fresh = req.executor.dryRun ? [dryRunContainer(idleService, 'NEW')] : parseContainers(r.stdout.split('### new\n')[1] ?? '');
    }
    if (!fresh.length) return { ok: false, error: `compose started no ${idleService} container` };
    const checked = await this.checkNew(host, ctx, fresh, target.version);
    if (!checked.ok) {
      await this.exec(host, [['docker', 'stop', '--time', '5', ...fresh.map((c) => c.id), raw('>/dev/null')]], `stop the unhealthy ${idle} containers`);
      return checked;
    }
    await this.exec(host, switchUpstreamScript(env, ctx.proxy.id, upstreamConfig(env.upstreamName, checked.servers, `${this.upstreamNote(target)}, color ${idle}`)), `nginx: switch to ${idle}`);
    req.log.info(`${host.id}: nginx routes to ${idle} (${target.version})`);
    // The other color drains while the run goes on, then is kept stopped (or running) for an instant
    // rollback; plain (pre-blue-green) web containers are removed.
    const plain = live.filter((c) => c.service === env.webService);
    const other = live.filter((c) => colorOf(c) && colorOf(c) !== idle);
    this.retirements.set(host.id, {
      switchedAt: Date.now(),
      label: `drain and stop ${liveColor ?? 'the old containers'}`,
      script: [
        ...(env.keepIdleColor === 'stopped' && other.length ? [['docker', 'stop', '--time', String(STOP_TIMEOUT_SEC), ...other.map((c) => c.id), raw('>/dev/null')]] : []),
        ...removeContainersScript(plain.map((c) => c.id), STOP_TIMEOUT_SEC),
      ],
    });
    return { ok: true, color: idle };
  }

  // ---- records ---------------------------------------------------------------------------------

  private release(target: Target, status: Release['status'], color?: Color): Release {
    const { req } = this;
    return {
      ...(color ? { color } : {}),
      version: target.version,
      image: target.image,
      digest: target.digest ?? '',
      status,
      at: new Date().toISOString(),
      'git-sha': req.identity.gitSha,
      actor: req.identity.actor,
      'run-url': req.identity.runUrl,
      action: req.kind,
    };
  }

  private async record(hosts: Host[], line: (h: Host) => Release | Release[]): Promise<void> {
    await Promise.all(hosts.map((h) => this.exec(h, appendReleasesScript(this.env, ([] as Release[]).concat(line(h))), 'record the release').catch((e) => this.req.log.warning(`${h.id}: could not record the release: ${errorMessage(e)}`))));
  }

  /** Keeps the images of the last keep-releases deployed releases; never one in use. */
  private async prune(): Promise<void> {
    await Promise.all(
      this.env.hosts.map(async (h) => {
        const r = await this.exec(h, [[{ raw: 'tail -n 500' }, `${this.env.appDir}/.parking-ci/releases.jsonl`], [{ raw: 'echo "### in-use"; docker ps --format "{{.Image}}"' }]], 'read history').catch(() => null);
        if (!r || this.req.executor.dryRun) return;
        const [historyText = '', inUse = ''] = r.stdout.split('### in-use\n');
        const prune = releasesToPrune(parseReleases(historyText), this.env.keepReleases, inUse.split('\n').filter(Boolean)).filter((image) => image.startsWith(this.req.config.image));
        if (prune.length) {
          await this.exec(h, removeImagesScript(prune), 'prune old release images').catch(() => undefined);
          this.req.log.info(`${h.id}: removed ${prune.length} old release image(s): ${prune.join(', ')}`);
        }
      }),
    );
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async exec(host: Host, script: Script, label: string, timeoutMs = 15 * 60_000) {
    const r = await this.req.executor.run(host, script, { label, timeoutMs });
    if (r.code !== 0) throw new RemoteError(host, label, r);
    return r;
  }

  private outcome(host: Host, status: HostOutcome['status'], target: Target, started: number, result?: HostChange): HostOutcome {
    const ctx = this.contexts.get(host.id)!;
    return {
      host,
      status,
      from: ctx.current.version,
      to: target.version,
      durationMs: Date.now() - started,
      ...(result?.error ? { error: result.error } : {}),
      ...(result?.health ? { health: result.health } : {}),
      ...(result?.color ? { color: result.color } : {}),
    };
  }

  private currentVersionLabel(): string {
    const versions = [...new Set([...this.contexts.values()].map((c) => c.current.version))];
    return versions.join(',') || 'none';
  }

  private histories(): Record<string, Release[]> {
    return Object.fromEntries([...this.contexts.values()].map((c) => [c.host.id, c.history]));
  }

  private finish(status: RunResult['status'], version: string, rest: Partial<RunResult>): RunResult {
    return {
      status,
      version,
      previousVersion: rest.previousVersion ?? this.currentVersionLabel(),
      hosts: rest.hosts ?? [],
      durationMs: Date.now() - this.started,
      timings: { ...this.timings },
      ...rest,
    } as RunResult;
  }
}

/** The address of a container on a network the proxy shares (nginx reaches it there). */
export function sharedNetworkAddress(container: ContainerInfo, proxy: ContainerInfo): string | undefined {
  for (const [network, address] of Object.entries(container.networks)) if (address && proxy.networks[network] !== undefined) return address;
  return undefined;
}

function dryRunContainer(service: string, tag: string): ContainerInfo {
  return { id: `<${tag.toLowerCase()}-${service}-container>`, service, image: '<image>', state: 'running', imageId: '', networks: { default: `<${tag.toLowerCase()}-${service}-ip>` }, startedAt: '' };
}

function dryRunFacts(env: Environment): HostFacts {
  const services = Object.fromEntries([...env.services, ...env.singletonServices, env.proxyService].map((s) => [s, {}]));
  return {
    compose: 'plugin',
    composeConfig: { services },
    containers: [...env.services, ...env.singletonServices].map((s) => dryRunContainer(s, 'OLD')).concat([{ ...dryRunContainer(env.proxyService, 'proxy'), networks: { default: '<proxy-ip>' } }]),
    releasesText: '',
    lockText: '',
    upstreamText: '',
    images: [],
    complete: true,
  };
}

export { parseUpstreamServers, compose };
