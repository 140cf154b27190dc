import { overrideYaml, releaseEnvFile, removeContainersScript, startAgainStep, startBesideStep, stopContainersScript, writeFileScript, type ContainerInfo } from '../../commands/compose.js';
import { parseUpstreamServers, switchUpstreamScript, upstreamConfig } from '../../commands/nginx.js';
import { overridePath } from '../../commands/paths.js';
import { raw } from '../../commands/shell.js';
import { plainStep } from '../../commands/step.js';
import type { Environment } from '../../config/types.js';
import { STOP_TIMEOUT_SEC, checkFresh, colorOf, hostBatches, project, runningWeb, upstreamServers, type Color, type DeployStrategy, type HostWork } from './strategy.js';

/**
 * Blue-green: the release goes to the idle color (a kept container of that release is simply
 * started again: no pull, no recreate), is checked, nginx switches to it, and the live color drains
 * and is stopped but kept (or left running) for an instant way back.
 */
export const blueGreen: DeployStrategy = {
  name: 'blue-green',

  // a rollback switches every host at once: the kept color is there, no capacity is lost
  batches: (hosts, batchSize, kind) => (kind === 'rollback' ? [hosts] : hostBatches(hosts, batchSize)),

  async startBeside(w, release, containers) {
    const old = servingWeb(w, containers);
    const live = old.map((c) => colorOf(w.env, c.service)).find((c) => c);
    const color: Color = live === 'blue' ? 'green' : 'blue';
    const kept = containers.filter((c) => c.service === `${w.env.webService}-${color}`);
    // a kept color is reused only for the same image with the same environment (a redeploy with new settings recreates it)
    const keptEnv = w.state.history.findLast((r) => r.color === color && r.status === 'deployed')?.['env-sha256'];
    if (kept.length && kept.every((c) => c.image === release.image) && keptEnv === release.envSha256) {
      const fresh = await w.session.run(startAgainStep(kept, `start the kept ${color} containers`));
      w.session.info(`${release.version} is kept in ${color}: started it again without pulling or recreating`);
      return { release, fresh, old, color };
    }
    const count = Math.max(1, old.filter((c) => colorOf(w.env, c.service) === live || !live).length);
    // the live color keeps the release (and environment) it serves; the idle one gets the new release's
    const serving = { image: old[0]?.image ?? release.image, envFile: releaseEnvFile(w.env, w.plan.from) };
    const fresh_ = { image: release.image, envFile: releaseEnvFile(w.env, release) };
    const colors = { blue: live === 'blue' ? serving : fresh_, green: live === 'green' ? serving : fresh_ };
    await w.session.run(plainStep('write the blue-green override', writeFileScript(overridePath(w.env, release.version), overrideYaml(w.env, release.image, colorServices(w.env, colors), fresh_.envFile))));
    const start = startBesideStep(project(w, release), `${w.env.webService}-${color}`, 0, count);
    const fresh = await w.session.run({ ...start, label: `start ${release.version} in ${color}`, script: [...removeContainersScript(kept.map((c) => c.id), 5), ...start.script] });
    return { release, fresh, old, color };
  },

  check: checkFresh,

  async switchTo(w, started, servers) {
    const content = upstreamConfig(w.env.upstreamName, servers, `${w.note}, color ${started.color}`);
    await w.session.run(plainStep(`nginx: switch to ${started.color}`, switchUpstreamScript(w.env, w.state.proxy.id, content)));
    w.session.info(`nginx routes to ${started.color} (${started.release.version})`);
  },

  // the other color is kept stopped (or running) for an instant rollback; plain web containers go
  retire: (w, started) => [
    ...(w.env.keepIdleColor === 'stopped' ? stopContainersScript(otherColor(w, started.old, started.color).map((c) => c.id), STOP_TIMEOUT_SEC) : []),
    ...removeContainersScript(started.old.filter((c) => c.service === w.env.webService).map((c) => c.id), STOP_TIMEOUT_SEC),
  ],

  async revert(w, started) {
    const servers = upstreamServers(w, started.old);
    if (servers.length) await w.session.run(plainStep('nginx: back to the live color', switchUpstreamScript(w.env, w.state.proxy.id, upstreamConfig(w.env.upstreamName, servers, `${w.note}, reverted`))));
    const ids = started.fresh.map((c) => c.id);
    // kept stopped; one already gone is no error (a revert can run again)
    return ids.length ? [['docker', 'stop', '--time', '5', '--', ...ids, raw('>/dev/null 2>&1 || true')]] : [];
  },
};

/** The two color services, each extending the user's web service with its own image. */
function colorServices(env: Environment, colors: Record<Color, { image: string; envFile: string | undefined }>): Record<string, unknown> {
  const base = { file: `${env.appDir}/${env.composeFile}`, service: env.webService };
  // `extends` reads the user's file only: each color names its release's environment file itself
  const service = (c: { image: string; envFile: string | undefined }) => ({ extends: base, image: c.image, ...(c.envFile ? { env_file: [c.envFile] } : {}) });
  return { [`${env.webService}-blue`]: service(colors.blue), [`${env.webService}-green`]: service(colors.green) };
}

/**
 * The web containers nginx routes to (the live color): with `keep-idle-color: running` the idle
 * color runs too, and only the upstream file tells which one serves. Every running web container
 * when the upstream names none of them (a first deploy over a hand-written upstream).
 */
function servingWeb(w: HostWork, containers: ContainerInfo[]): ContainerInfo[] {
  const routed = new Set(parseUpstreamServers(w.state.facts.upstreamText));
  const running = runningWeb(w.env, containers);
  const serving = running.filter((c) => upstreamServers(w, [c]).some((s) => routed.has(s)));
  return serving.length ? serving : running;
}

function otherColor(w: HostWork, old: ContainerInfo[], color: Color | undefined): ContainerInfo[] {
  return old.filter((c) => colorOf(w.env, c.service) && colorOf(w.env, c.service) !== color);
}
