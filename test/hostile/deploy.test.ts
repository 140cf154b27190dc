// Drives every row of deploy.cases.ts through the real code path: the plan action through the
// runner harness, the deploy summary writer, the command builders, and the engine with the action's
// logger (on the in-memory fleet of the fault model).
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, discardContainersScript, removeContainersScript, startAgainStep, startBesideScript, startServiceScript, writeFileScript } from '../../src/commands/compose.js';
import { migrateScript, pullScript } from '../../src/commands/host.js';
import { removeImagesScript } from '../../src/commands/releases.js';
import type { Script } from '../../src/commands/shell.js';
import { parseConfig } from '../../src/config/load.js';
import { logger } from '../../src/deploy/action.js';
import { writeRunSummary } from '../../src/deploy/summary.js';
import type { RunResult } from '../../src/deploy/types.js';
import type { Executor } from '../../src/remote/executor.js';
import { runScenario, type Scenario } from '../../testkit/fault-model.js';
import { newRunnerDirs, runAction } from '../../testkit/run-action.js';
import { cases, type DeployCase, type HistoryCase, type LogCase, type OptionCase, type RunSummaryCase } from './deploy.cases.js';

jest.setTimeout(60_000);

const CONFIG = `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    url: https://parking.example.com
    hosts: [10.0.0.11, 10.0.0.12]
    ssh: {user: deployer}
    app-dir: /opt/parking
    services: [web, worker]
    health: {path: /health/}
    migrate:
      command: python manage.py migrate --noinput
`;
const config = parseConfig(CONFIG, 'c.yml');
const env = config.environments.production!;

/** The summary without its fenced code blocks (a code block renders no HTML). */
function outsideFences(markdown: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const m = /^(`{3,})/.exec(line);
    if (fence) {
      if (m && m[1]!.length >= fence.length && line.trim() === m[1]) fence = undefined;
    } else if (m) fence = m[1];
    else out.push(line);
  }
  return out.join('\n');
}

const summaryFile = join(mkdtempSync(join(tmpdir(), 'hostile-deploy-')), 'summary.md');
process.env.GITHUB_STEP_SUMMARY = summaryFile;
async function summaryOf(result: RunResult, kind: 'deploy' | 'rollback' = 'deploy'): Promise<string> {
  writeFileSync(summaryFile, '');
  await writeRunSummary({ kind, env, strategy: 'rolling', config }, result, false);
  return readFileSync(summaryFile, 'utf8');
}

const baseResult: RunResult = { status: 'failed', version: 'v2', previousVersion: 'v1', hosts: [], durationMs: 10, timings: { pullMs: 0, healthyMs: 0, migrateMs: 0 } };

function historyResult(c: HistoryCase): RunResult {
  const line = { version: 'v1', image: 'r/web:v1', digest: '', status: 'deployed' as const, at: '2026-01-01T00:00:00Z', 'git-sha': 'abc', actor: 'octocat', 'run-url': '', action: 'deploy' as const };
  return { ...baseResult, status: 'deployed', histories: { '10.0.0.11': [{ ...line, [c.field]: c.value } as typeof line] } };
}

function runSummaryResult(c: RunSummaryCase): RunResult {
  const host = env.hosts[0]!;
  const health = { healthy: false, attempts: [{ ms: 5, status: '500' }], lastResponse: c.where === 'health-response' ? c.value : 'HTTP/1.0 500', logs: c.where === 'health-logs' ? c.value : 'boom' };
  return {
    ...baseResult,
    ...(c.where === 'previous-version' ? { previousVersion: c.value } : {}),
    hosts: [{ host, status: 'failed', from: 'v1', to: 'v2', durationMs: 5, error: c.where === 'host-error' ? c.value : 'unhealthy', health }],
    migration: { host: host.id, ok: false, durationMs: 3, output: c.where === 'migration-output' ? c.value : 'ok' },
    error: c.where === 'host-error' ? c.value : 'failed',
  };
}

/** Every command given the value as an argument has `--` before it: it can never be read as an option. */
function afterDoubleDash(script: Script, value: string): string[] {
  const problems: string[] = [];
  for (const line of script) {
    const words = line.map((a) => (typeof a === 'string' ? a : 'raw' in a ? a.raw : a.secret));
    words.forEach((w, i) => {
      if ((w !== value && !w.startsWith(`${value}/`)) || typeof line[i] !== 'string') return;
      if (words[i - 1] === '>' || words[i - 1] === '>>') return; // a redirection's file, never an option
      if (!words.slice(0, i).some((x) => x === '--' || x.endsWith(' --'))) problems.push(words.join(' '));
    });
  }
  return problems;
}

function optionScript(c: OptionCase): Script {
  const project = { app: 'parking', env, flavor: 'plugin' as const, override: '/opt/parking/.parking-ci/compose/v2.yml' };
  const container = { id: c.value, service: 'web', image: 'r/web:v1', state: 'exited', imageId: '', networks: {}, startedAt: '' };
  switch (c.builder) {
    case 'pull': return pullScript(c.value, undefined, true);
    case 'find': return pullScript(c.value, undefined, false);
    case 'login': return pullScript('r/web:v2', { server: c.value, username: 'ci', password: 'pw' }, true);
    case 'start-beside': return startBesideScript(project, c.value, 1, 1);
    case 'singleton': return startServiceScript(project, c.value);
    case 'migrate': return migrateScript(project, 'migrate', 1000).concat([compose(project, 'run', '--', c.value)]);
    case 'remove': return removeContainersScript([c.value], 5);
    case 'discard': return discardContainersScript([c.value]);
    case 'image-rm': return removeImagesScript([c.value]);
    case 'write-file': return writeFileScript(`${c.value}/file`, 'x');
    case 'start-again': return startAgainStep([container], 'start').script;
  }
}

/** Runs a deploy on the in-memory fleet with the action's logger; returns everything it printed. */
async function logOf(c: LogCase): Promise<string> {
  const hostile = (inner: Executor): Executor => ({
    ...inner,
    run: async (host, script, o) => {
      const r = await inner.run(host, script, o);
      if (c.where === 'migration-output' && o.label === 'migrate') return { ...r, stdout: `${c.value}\n` };
      if (c.where === 'remote-error' && o.label === 'nginx: new only') return { code: 1, stdout: '', stderr: `${c.value}\n` };
      return r;
    },
  });
  const printed: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
  try {
    const s: Scenario = { hosts: 2, strategy: 'rolling', batchSize: 1, maxFailedHosts: 0, kind: 'deploy', history: ['v1'], unhealthy: [], migrate: true, faults: [] };
    await runScenario(s, { wrap: hostile, log: logger });
  } finally {
    spy.mockRestore();
  }
  return printed.join('');
}

/** A line of the hostile value that would start a workflow command, where it does in `log`. */
function forgedCommands(log: string, value: string): string[] {
  const hostileLines = value.split(/\r\n|\r|\n/).map((l) => l.trimStart()).filter((l) => /^(::|##\[)/.test(l));
  return log.split(/\r\n|\r|\n/).filter((line) => hostileLines.some((h) => line.trimStart().startsWith(h)));
}

async function check(c: DeployCase): Promise<void> {
  switch (c.kind) {
    case 'plan-summary': {
      const { workspace } = newRunnerDirs();
      mkdirSync(join(workspace, '.github'), { recursive: true });
      writeFileSync(join(workspace, '.github', 'parking-ci.yml'), c.edit(CONFIG));
      const r = await runAction('plan', { workspace });
      // refused by the schema, or shown escaped: never raw HTML
      expect(outsideFences(r.summary).toLowerCase()).not.toContain(c.forbidden.toLowerCase());
      if (r.exitCode !== 0) expect(r.annotations.some((a) => a.level === 'error')).toBe(true);
      return;
    }
    case 'history-summary':
      expect(outsideFences(await summaryOf(historyResult(c), 'rollback')).toLowerCase()).not.toContain(c.forbidden.toLowerCase());
      return;
    case 'run-summary':
      expect(outsideFences(await summaryOf(runSummaryResult(c))).toLowerCase()).not.toContain(c.forbidden.toLowerCase());
      return;
    case 'option':
      expect(afterDoubleDash(optionScript(c), c.value)).toEqual([]);
      return;
    case 'log': {
      if (c.where === 'dry-run-script') {
        const { workspace } = newRunnerDirs();
        mkdirSync(join(workspace, '.github'), { recursive: true });
        writeFileSync(join(workspace, '.github', 'parking-ci.yml'), CONFIG.replace(/command: .*$/m, `command: ${JSON.stringify(c.value)}`));
        const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
        const r = await runAction('deploy', { workspace, inputs: { version: 'v2', 'dry-run': 'true', 'ssh-private-key': key, 'known-hosts': '10.0.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' } });
        expect(r.stdout).toContain('[dry-run] 10.0.0.11: migrate');
        expect(forgedCommands(r.stdout, c.value.slice(c.value.indexOf('::')))).toEqual([]);
        return;
      }
      const log = await logOf(c);
      expect(log.length).toBeGreaterThan(0);
      expect(forgedCommands(log, c.value)).toEqual([]);
      return;
    }
  }
}

test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
  await check(c);
});
