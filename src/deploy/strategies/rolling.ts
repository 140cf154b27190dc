import { discardContainersScript, removeContainersScript, startBesideStep } from '../../commands/compose.js';
import { switchUpstreamScript, upstreamConfig } from '../../commands/nginx.js';
import { plainStep } from '../../commands/step.js';
import { STOP_TIMEOUT_SEC, checkFresh, hostBatches, project, runningWeb, upstreamServers, type DeployStrategy } from './strategy.js';

/**
 * Rolling: hosts go in batches; on each, new web containers start beside the old ones, pass the
 * health check, then one nginx reload routes to the new only; the old drain and stop.
 */
export const rolling: DeployStrategy = {
  name: 'rolling',

  batches: (hosts, batchSize) => hostBatches(hosts, batchSize),

  async startBeside(w, release, containers) {
    const { env } = w;
    const old = runningWeb(env, containers);
    // as many new containers as the host served with when the run began
    const count = Math.max(1, runningWeb(env, w.state.facts.containers).length);
    const plain = old.filter((c) => c.service === env.webService).length;
    const fresh = await w.session.run(startBesideStep(project(w, release), env.webService, plain, count));
    return { release, fresh, old };
  },

  check: checkFresh,

  // one reload straight to the new containers: the old ones finish what they took (they stop after the drain)
  async switchTo(w, _started, servers) {
    const { env, session } = w;
    await session.run(plainStep('nginx: switch to the new containers', switchUpstreamScript(env, w.state.proxy.id, upstreamConfig(env.upstreamName, servers, w.note))));
  },

  retire: (_w, started) => removeContainersScript(started.old.map((c) => c.id), STOP_TIMEOUT_SEC),

  async revert(w, started) {
    const { env, session } = w;
    const servers = upstreamServers(w, started.old);
    if (servers.length) await session.run(plainStep('nginx: back to the old containers', switchUpstreamScript(env, w.state.proxy.id, upstreamConfig(env.upstreamName, servers, `${w.note}, reverted`))));
    return discardContainersScript(started.fresh.map((c) => c.id));
  },
};
