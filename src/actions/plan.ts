import * as core from '@actions/core';
import { resolve } from 'node:path';
import { formatDuration } from '../config/duration.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';
import type { Config, Environment } from '../config/types.js';
import { hostBatches, primaryHost } from '../deploy/batches.js';
import { runAction } from '../github/action.js';
import { optionalInput } from '../github/inputs.js';
import { untrusted } from '../github/untrusted.js';

async function main(): Promise<void> {
  const file = optionalInput('config') ?? DEFAULT_CONFIG_PATH;
  const config = await loadConfig(resolve(process.env.GITHUB_WORKSPACE ?? '.', file), file);
  const names = Object.keys(config.environments);
  core.info(`${untrusted(file)} is valid: app ${config.app}, ${names.length} environment(s): ${names.join(', ')}`);
  for (const env of Object.values(config.environments)) logEnvironment(env);
  core.setOutput('environments', JSON.stringify(names));
  core.setOutput('config', JSON.stringify(config));
  await writePlanSummary(config, file);
}

/** The plan in the log, one group per environment: the same facts as the summary, as plain lines. */
function logEnvironment(env: Environment): void {
  const batches = hostBatches(env.hosts, env.batchSize);
  const primary = primaryHost(env);
  core.startGroup(`Plan for ${env.name}: ${env.hosts.length} host(s), ${env.strategy}, ${batches.length} batch(es)`);
  core.info(`hosts: ${env.hosts.map((h) => `${h.user}@${h.id}`).join(', ')}${env.ssh.proxyJump ? ` (via ${env.ssh.proxyJump})` : ''}`);
  batches.forEach((batch, i) => core.info(`batch ${i + 1}: ${batch.map((h) => h.id).join(', ')}`));
  core.info(`strategy: ${env.strategy}; roll back when more than ${env.maxFailedHosts} host(s) fail`);
  core.info(`migrations: ${env.migrate ? `${env.migrate.command} on ${primary.id}, before any host switches` : 'none'}`);
  core.info(`health check: GET ${env.health.path} on port ${env.health.port} expects ${env.health.expectStatus} within ${formatDuration(env.health.timeoutMs)}`);
  core.endGroup();
}

async function writePlanSummary(config: Config, file: string): Promise<void> {
  const s = core.summary.addHeading(`Deploy plan for ${config.app}`, 2);
  s.addRaw(`\n\`${file}\` is valid. Image \`${config.image}\``);
  if (config.registry) s.addRaw(`, pulled after \`docker login ${config.registry.server}\` as \`${config.registry.username}\``);
  s.addRaw('.\n\n');
  for (const env of Object.values(config.environments)) describeEnvironment(env, config);
  await s.write();
}

function describeEnvironment(env: Environment, config: Config): void {
  const s = core.summary;
  const batches = hostBatches(env.hosts, env.batchSize);
  const primary = primaryHost(env);
  s.addHeading(`${env.name}${env.url ? ` — ${env.url}` : ''}`, 3);
  s.addTable([
    [
      { data: 'Batch', header: true },
      { data: 'Host', header: true },
      { data: 'SSH', header: true },
      { data: 'Runs', header: true },
    ],
    ...batches.flatMap((batch, b) =>
      batch.map((h) => [
        String(b + 1),
        h.id,
        `${h.user}@${h.host}:${h.port}${env.ssh.proxyJump ? ` via ${env.ssh.proxyJump}` : ''}`,
        [...env.services, ...(h === primary ? env.singletonServices : [])].join(', ') +
          (h === primary && env.migrate ? ' + migrations' : ''),
      ]),
    ),
  ]);
  const singleton = env.singletonServices.length ? `\`${env.singletonServices.join('`, `')}\` on ${primary.id} only` : 'none';
  s.addList([
    `Strategy: **${env.strategy}**, ${batches.length} batch(es) of ${'count' in env.batchSize ? env.batchSize.count : `${env.batchSize.percent}%`}; more than ${env.maxFailedHosts} failed host(s) rolls every switched host back`,
    `Migrations: ${env.migrate ? `\`${env.migrate.command}\` once on ${primary.id} with the new image, before any host switches (timeout ${formatDuration(env.migrate.timeoutMs)})` : 'none configured'}`,
    `Health check: GET \`${env.health.path}\` on port ${env.health.port} expects ${env.health.expectStatus} within ${formatDuration(env.health.timeoutMs)} (every ${formatDuration(env.health.intervalMs)}), then through nginx`,
    `Traffic: \`${env.proxyService}\` routes \`${env.upstreamName}\` from \`${env.appDir}/${env.upstreamFile}\`; old containers drain ${formatDuration(env.drainMs)}`,
    `Singleton services: ${singleton}`,
    `Compose: \`${env.appDir}/${env.composeFile}\`, project \`${config.app}\`; ${env.keepReleases} releases kept per host`,
  ]);
}

await runAction(main);
