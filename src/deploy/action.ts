import * as core from '@actions/core';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_CONFIG_PATH, loadConfig, selectEnvironment } from '../config/load.js';
import type { Config, Environment, Host } from '../config/types.js';
import { UserError } from '../errors.js';
import { DeploymentRecord } from '../github/deployments.js';
import { booleanInput, optionalInput, requiredInput, secretInput, validInput } from '../github/inputs.js';
import { maskValue, redact } from '../github/mask.js';
import { untrusted } from '../github/untrusted.js';
import { DryRunExecutor } from '../remote/dry-run.js';
import type { Executor } from '../remote/executor.js';
import { knownHostsEntries, knownHostsProblem } from '../remote/known-hosts.js';
import { SshExecutor, writeSshFiles } from '../remote/ssh.js';
import { runDeployment } from './engine.js';
import { parseSecretsInput, releaseEnv } from './release-env.js';
import { postHosts, recoverHosts } from './post.js';
import { setRunOutputs, writeRunSummary } from './summary.js';
import type { Logger, RunIdentity, RunRequest } from './types.js';

const VERSION = z.string().regex(/^(?:sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/, {
  error: 'expected an image tag ([A-Za-z0-9_.-], at most 128) or a sha256:<64 hex> digest',
});
const STRATEGY = z.enum(['rolling', 'blue-green'], { error: 'expected "rolling" or "blue-green"' }).optional();

/** The job log; lines carry remote output (errors, logs), so none may start a workflow command. */
export const logger: Logger = {
  // masked values are replaced here too: the log stays clean where no runner masks it
  info: (l) => core.info(untrusted(redact(l))),
  warning: (l) => core.warning(redact(l)),
  debug: (l) => core.debug(untrusted(redact(l))),
  group: (title, fn) => core.group(title, fn),
};

interface Prepared {
  config: Config;
  env: Environment;
  request: Omit<RunRequest, 'executor' | 'log'>;
  dryRun: boolean;
  privateKey: string;
  knownHosts: string;
  githubToken?: string;
}

/** Reads and validates every input and the config file; nothing remote happens before this passes. */
async function prepare(kind: 'deploy' | 'rollback'): Promise<Prepared> {
  // Secrets first, so that nothing logged later can show them.
  const privateKey = secretInput('ssh-private-key');
  const registryPassword = secretInput('registry-password');
  const githubToken = secretInput('github-token');
  // every value of the \`secrets\` input is masked before anything else can print it (listed or not)
  const secrets = parseSecretsInput(core.getInput('secrets'));
  for (const value of secrets.values()) if (value.trim()) maskValue(value);
  if (!privateKey) throw new UserError('input "ssh-private-key" is required: the private key of the deploy user (store it as a secret)');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(privateKey))
    throw new UserError('input "ssh-private-key" does not look like a private key (expected the whole "-----BEGIN ... PRIVATE KEY-----" block)');
  const knownHosts = requiredInput('known-hosts', 'known_hosts lines for every host (run `ssh-keyscan HOST` on a trusted machine and store the output as a secret)');
  if (!knownHostsEntries(knownHosts).some((e) => !e.ignored)) throw new UserError('input "known-hosts" holds no known_hosts line ("host key-type base64-key")');

  const file = optionalInput('config') ?? DEFAULT_CONFIG_PATH;
  const envName = validInput('environment', z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected an environment name' }), optionalInput('environment') ?? 'production');
  const version =
    kind === 'deploy'
      ? validInput('version', VERSION, requiredInput('version', 'the image tag or sha256 digest to deploy'))
      : validInput('to', z.union([z.enum(['previous', 'list']), VERSION], { error: 'expected "previous", "list" or a version from the release history' }), optionalInput('to') ?? 'previous');
  const strategyInput = validInput('strategy', STRATEGY);
  const dryRun = booleanInput('dry-run');

  const config = await loadConfig(resolve(process.env.GITHUB_WORKSPACE ?? '.', file), file);
  const env = selectEnvironment(config, envName, file);
  // the release's environment: a listed secret that is missing fails here, before any connection
  const nonce = randomBytes(12).toString('hex');
  const environment = kind === 'deploy' ? releaseEnv(env, secrets, nonce, config.app) : undefined;
  if (registryPassword && !config.registry) core.warning('registry-password is set but the config has no `registry`; hosts pull without logging in');
  if (config.registry && !registryPassword && kind === 'deploy') core.warning(`the config names registry ${config.registry.server} but registry-password is empty; hosts pull with the credentials they already have`);

  // Every host and jump host must be in known-hosts: an unknown host stops here, before any connection.
  const problem = knownHostsProblem(knownHosts, [...env.hosts, ...(env.ssh.jumpHosts ?? []).map((h) => ({ ...h, role: 'jump host' }))]);
  if (problem && !dryRun) throw new UserError(problem);

  return {
    config,
    env,
    dryRun,
    privateKey,
    knownHosts,
    ...(githubToken ? { githubToken } : {}),
    request: {
      kind,
      config,
      env,
      strategy: strategyInput ?? env.strategy,
      version,
      ...(registryPassword ? { registryPassword } : {}),
      ...(environment ? { releaseEnv: environment } : {}),
      identity: runIdentity(`${process.env.GITHUB_RUN_ID ?? 'local'}-${process.env.GITHUB_RUN_ATTEMPT ?? '1'}-${randomBytes(6).toString('hex')}`),
    },
  };
}

/** Who runs this step, from the runner's environment; `owner` names the lock. */
function runIdentity(owner: string): RunIdentity {
  const serverUrl = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl = process.env.GITHUB_REPOSITORY && process.env.GITHUB_RUN_ID ? `${serverUrl}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}` : '';
  return { actor: process.env.GITHUB_ACTOR ?? process.env.USER ?? 'unknown', runUrl, gitSha: process.env.GITHUB_SHA ?? '', owner };
}

function sshExecutor(p: Prepared): { executor: Executor; dir?: string } {
  // the printed scripts hold config values: none may start a workflow command
  if (p.dryRun) return { executor: new DryRunExecutor((t) => core.info(untrusted(redact(t)))) };
  const files = writeSshFiles(process.env.RUNNER_TEMP || tmpdir(), p.privateKey, p.knownHosts);
  core.saveState('ssh-dir', files.dir);
  return {
    dir: files.dir,
    executor: new SshExecutor({
      keyFile: files.keyFile,
      knownHostsFile: files.knownHostsFile,
      workDir: files.dir,
      ...(p.env.ssh.jumpHosts ? { jumpHosts: p.env.ssh.jumpHosts } : {}),
      log: (l) => core.info(untrusted(redact(l))),
    }),
  };
}

export async function runMain(kind: 'deploy' | 'rollback'): Promise<void> {
  const p = await prepare(kind);
  const { executor, dir } = sshExecutor(p);
  core.saveState('config', optionalInput('config') ?? DEFAULT_CONFIG_PATH);
  core.saveState('environment', p.env.name);
  core.saveState('owner', p.request.identity.owner);
  // the post step records a release it finds serving with the env file this run wrote (a hash, no value)
  if (p.request.releaseEnv) core.saveState('release-env', JSON.stringify({ version: p.request.version, sha256: p.request.releaseEnv.sha256 }));

  // Cancellation: stop starting host work; the post step releases what is left.
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (core.warning(`received ${signal}: finishing the host step in progress, then stopping`), abort.abort()));

  const listOnly = kind === 'rollback' && p.request.version === 'list';
  const record = p.dryRun || listOnly ? undefined : await DeploymentRecord.start(p.githubToken, p.env.name, p.env.url, `${kind} ${p.request.version} to ${p.env.name}`, { app: p.config.app, version: p.request.version });
  core.info(`${kind} ${p.request.version} to ${p.env.name}: ${p.env.hosts.length} host(s), strategy ${p.request.strategy}${p.dryRun ? ' (dry run: nothing is changed)' : ''}`);

  // what the post step will have to do: locks not released, hosts lost mid-step
  const pending = { locked: [] as string[], reconcile: [] as string[] };
  const result = await runDeployment({
    ...p.request,
    executor,
    log: logger,
    signal: abort.signal,
    onLocked: (ids) => ((pending.locked = ids), core.saveState('locked-hosts', JSON.stringify(ids))),
    onReconcile: (ids) => ((pending.reconcile = ids), core.saveState('reconcile-hosts', JSON.stringify(ids))),
  });
  core.saveState('finished', 'true');
  // the post step needs the key for what is left
  if (dir && !postHosts(pending.locked, pending.reconcile).length) rmSync(dir, { recursive: true, force: true });

  setRunOutputs(result);
  await writeRunSummary(p.request, result, p.dryRun);
  await record?.status(result.status === 'deployed' ? 'success' : 'failure', result.status === 'deployed' ? `${result.version} deployed` : (result.error ?? result.status).slice(0, 140));
  if (result.status !== 'deployed') throw new UserError(result.error ?? `${kind} ${result.status}`);
  if (listOnly) core.info('Release histories are in the step summary.');
}

/**
 * The post step: when the main step did not finish (cancelled, killed) or lost a host mid-step, make
 * each host's history name what it serves, remove containers that never took traffic and release
 * the run's locks; always remove the key file.
 */
export async function runPost(): Promise<void> {
  const dir = core.getState('ssh-dir');
  try {
    const locked = JSON.parse(core.getState('locked-hosts') || '[]') as string[];
    const reconcile = JSON.parse(core.getState('reconcile-hosts') || '[]') as string[];
    const unfinished = core.getState('finished') !== 'true';
    const hostIds = postHosts(locked, reconcile);
    if (!hostIds.length || !dir) return;
    core.warning(`the ${process.env.GITHUB_ACTION ?? 'deploy'} step ${unfinished ? 'did not finish' : 'left hosts to clean up'}: reconciling and releasing the lock on ${hostIds.join(', ')}`);
    const file = core.getState('config') || DEFAULT_CONFIG_PATH;
    const config = await loadConfig(resolve(process.env.GITHUB_WORKSPACE ?? '.', file), file);
    const env = selectEnvironment(config, core.getState('environment') || 'production', file);
    const executor = new SshExecutor({ keyFile: `${dir}/id`, knownHostsFile: `${dir}/known_hosts`, workDir: dir, ...(env.ssh.jumpHosts ? { jumpHosts: env.ssh.jumpHosts } : {}) });
    const releaseEnvState = core.getState('release-env');
    const releaseEnv = releaseEnvState ? (JSON.parse(releaseEnvState) as { version: string; sha256: string }) : undefined;
    await recoverHosts({ executor, config, env, hostIds, identity: runIdentity(core.getState('owner')), log: logger, ...(releaseEnv ? { releaseEnv } : {}) });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
