import type { Hook, HookName } from '../config/types.js';
import { compose, type ComposeProject } from './compose.js';
import { raw, type Script } from './shell.js';
import { plainStep, type Step } from './step.js';

/** What a hook is told about the run (names reserved: an app's env may not use PARKING_CI_*). */
export interface HookContext {
  version: string;
  previousVersion: string;
  hosts: string[];
  environment: string;
  /** The release's environment file on the host, for a hook that runs on the host. */
  envFile?: string;
}

export function hookVariables(c: HookContext): [string, string][] {
  return [
    ['PARKING_CI_VERSION', c.version],
    ['PARKING_CI_PREVIOUS_VERSION', c.previousVersion],
    ['PARKING_CI_HOSTS', c.hosts.join(',')],
    ['PARKING_CI_ENVIRONMENT', c.environment],
    ...(c.envFile ? ([['PARKING_CI_ENV_FILE', c.envFile]] as [string, string][]) : []),
  ];
}

/**
 * A hook: `in: image` runs it like the migration, in a one-off container of the release's web
 * service (its image and environment file); `in: host` runs it with bash in app-dir on the host.
 * Its output is captured (both streams); the exit code decides. Its stdin is /dev/null: the rest of
 * the step's script arrives on bash's stdin, and a hook (or migration) that reads stdin must not eat it.
 */
export function hookScript(target: ComposeProject, hook: Hook, context: HookContext): Script {
  const vars = hookVariables(context);
  const limit = ['timeout', '--signal=TERM', '--kill-after=30', `${Math.ceil(hook.timeoutMs / 1000)}`];
  if (hook.in === 'host') return [['cd', target.env.appDir], [...limit, 'env', ...vars.map(([k, v]) => `${k}=${v}`), 'bash', '-c', hook.command, raw('</dev/null 2>&1')]];
  return [
    ['cd', target.env.appDir],
    [...limit, ...compose(target, 'run', '--rm', '--no-deps', '-T', ...vars.flatMap(([k, v]) => ['-e', `${k}=${v}`]), '--', target.env.webService, 'sh', '-c', hook.command), raw('</dev/null 2>&1')],
  ];
}

export function hookStep(name: HookName, target: ComposeProject, hook: Hook, context: HookContext): Step<void> {
  return plainStep(`${name} hook`, hookScript(target, hook, context), hook.timeoutMs + 60_000);
}

/** A hook names what it made (the backup) with a line `backup: NAME`; the summary shows the last one. */
export function parseBackupName(output: string): string | undefined {
  return [...output.matchAll(/^backup: (\S[^\n]{0,200})$/gm)].at(-1)?.[1]?.trim();
}
