import * as core from '@actions/core';
import { resolve } from 'node:path';
import { formatDuration } from '../config/duration.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';
import type { Config, Environment } from '../config/types.js';
import { describeEnv, describePlan, plan, type Plan } from '../deploy/plan.js';
import { runAction } from '../github/action.js';
import { escapeHtml } from '../github/escape.js';
import { optionalInput } from '../github/inputs.js';
import { untrusted } from '../github/untrusted.js';

async function main(): Promise<void> {
  const file = optionalInput('config') ?? DEFAULT_CONFIG_PATH;
  const config = await loadConfig(resolve(process.env.GITHUB_WORKSPACE ?? '.', file), file);
  const names = Object.keys(config.environments);
  core.info(`${untrusted(file)} is valid: app ${config.app}, ${names.length} environment(s): ${names.join(', ')}`);
  for (const env of Object.values(config.environments)) logEnvironment(config, env);
  core.setOutput('environments', JSON.stringify(names));
  core.setOutput('config', JSON.stringify(config));
  await writePlanSummary(config, file);
}

/** The plans a deploy and a rollback of this environment follow: the function the engine runs. */
function plans(config: Config, env: Environment): { deploy: Plan; rollback: Plan } {
  return {
    deploy: plan(config, env, { kind: 'deploy', version: '<version>', strategy: env.strategy }),
    rollback: plan(config, env, { kind: 'rollback', version: 'previous', strategy: env.strategy }),
  };
}

/** The plan in the log, one group per environment: the same facts as the summary, as plain lines. */
function logEnvironment(config: Config, env: Environment): void {
  const { deploy, rollback } = plans(config, env);
  core.startGroup(`Plan for ${env.name}: ${env.hosts.length} host(s), ${env.strategy}, ${deploy.batches.length} batch(es)`);
  core.info(`hosts: ${env.hosts.map((h) => `${h.user}@${h.id}`).join(', ')}${env.ssh.proxyJump ? ` (via ${env.ssh.proxyJump})` : ''}`);
  for (const line of describePlan(deploy)) core.info(line);
  core.info(`rollback: ${rollback.batches.map((b) => b.map((h) => h.id).join(', ')).join(' | ')}`);
  core.info(`health check: GET ${env.health.path} on port ${env.health.port} expects ${env.health.expectStatus} within ${formatDuration(env.health.timeoutMs)}`);
  core.endGroup();
}

async function writePlanSummary(config: Config, file: string): Promise<void> {
  const s = core.summary.addHeading(`Deploy plan for ${config.app}`, 2);
  s.addRaw(`\n\`${escapeHtml(file)}\` is valid. Image \`${escapeHtml(config.image)}\``);
  if (config.registry) s.addRaw(`, pulled after \`docker login ${escapeHtml(config.registry.server)}\` as \`${escapeHtml(config.registry.username)}\``);
  s.addRaw('.\n\n');
  for (const env of Object.values(config.environments)) describeEnvironment(env, config);
  await s.write();
}

function describeEnvironment(env: Environment, config: Config): void {
  const s = core.summary;
  const { deploy, rollback } = plans(config, env);
  const primary = deploy.hosts.find((h) => h.primary)!.host;
  const e = escapeHtml;
  s.addHeading(e(`${env.name}${env.url ? ` — ${env.url}` : ''}`), 3);
  s.addTable([
    ['Batch', 'Host', 'SSH', 'Runs'].map((data) => ({ data, header: true })),
    ...deploy.batches.flatMap((batch, b) =>
      batch.map((h) =>
        [
          String(b + 1),
          h.id,
          `${h.user}@${h.host}:${h.port}${env.ssh.proxyJump ? ` via ${env.ssh.proxyJump}` : ''}`,
          [...env.services, ...(h === primary ? env.singletonServices : [])].join(', ') + (h === primary && deploy.migration ? ' + migrations' : ''),
        ].map(e),
      ),
    ),
  ]);
  const singleton = env.singletonServices.length ? `\`${e(env.singletonServices.join('`, `'))}\` on ${e(primary.id)} only` : 'none';
  const rollbackBatches = rollback.batches.length === 1 && env.hosts.length > 1 ? 'every host at once (the kept color is there)' : `${rollback.batches.length} batch(es), as the deploy`;
  s.addList([
    `Strategy: **${env.strategy}**, ${deploy.batches.length} batch(es) of ${'count' in env.batchSize ? env.batchSize.count : `${env.batchSize.percent}%`}; more than ${env.maxFailedHosts} failed host(s) rolls every switched host back`,
    `Rollback: ${rollbackBatches}, without migrations, from the images kept on each host`,
    `Migrations: ${env.migrate ? `\`${e(env.migrate.command)}\` once on ${e(primary.id)} with the new image, before any host switches (timeout ${formatDuration(env.migrate.timeoutMs)})` : 'none configured'}`,
    `Health check: GET \`${e(env.health.path)}\` on port ${env.health.port} expects ${env.health.expectStatus} within ${formatDuration(env.health.timeoutMs)} (every ${formatDuration(env.health.intervalMs)}; over at once after ${env.health.failureThreshold} other answer(s) in a row or a stopped container), then through nginx`,
    `Traffic: \`${e(env.proxyService)}\` routes \`${e(env.upstreamName)}\` from \`${e(`${env.appDir}/${env.upstreamFile}`)}\`; old containers drain ${formatDuration(env.drainMs)}`,
    `Singleton services: ${singleton}`,
    `Compose: \`${e(`${env.appDir}/${env.composeFile}`)}\`, project \`${e(config.app)}\`; ${env.keepReleases} releases kept per host`,
    `Environment: ${e(describeEnv(deploy))}`,
    ...(deploy.hooks.length ? deploy.hooks.map((h) => `Hook \`${h.name}\`: \`${e(h.command)}\` in ${h.in === 'image' ? 'a one-off container of the release' : 'a shell on the host'} on ${e(h.host.id)}, ${e(h.when)}`) : ['Hooks: none']),
  ]);
}

await runAction(main);
