import * as core from '@actions/core';
import { formatDuration } from '../config/duration.js';
import type { Environment } from '../config/types.js';
import { healthEndingText } from '../commands/health.js';
import type { Release } from '../commands/releases.js';
import { escapeHtml, fenced, inline, lastChars } from '../github/escape.js';
import { redact } from '../github/mask.js';
import type { HostOutcome, RunKind, RunRequest, RunResult } from './types.js';

const ICON = { deployed: '✅', 'rolled-back': '↩️', failed: '❌', unchanged: '⏸️', skipped: '⏭️' } as const;

/** The outputs of deploy and rollback (spec §4): never anything secret. */
export function setRunOutputs(result: RunResult): void {
  core.setOutput('status', result.status);
  core.setOutput('version', result.version);
  core.setOutput('previous-version', result.previousVersion);
  core.setOutput('hosts', JSON.stringify(hostsOutput(result.hosts)));
  core.setOutput('duration-ms', String(result.durationMs));
  core.setOutput('timings', JSON.stringify({ 'pull-ms': result.timings.pullMs, 'boot-ms': result.timings.bootMs ?? 0, 'healthy-ms': result.timings.healthyMs, 'migrate-ms': result.timings.migrateMs, 'phases-ms': result.timings.phasesMs ?? {} }));
}

/** The `hosts` output: one object per host. */
export function hostsOutput(hosts: readonly HostOutcome[]): Record<string, unknown>[] {
  return hosts.map((o) => ({ host: o.host.id, status: o.status, from: o.from, to: o.to, 'duration-ms': o.durationMs, ...(o.color ? { color: o.color } : {}) }));
}

function title(req: Pick<RunRequest, 'kind' | 'env'>, result: RunResult): string {
  const verb = req.kind === 'deploy' ? 'Deploy' : 'Rollback';
  if (result.status === 'deployed') return `${ICON.deployed} ${req.kind === 'deploy' ? 'Deployed' : 'Rolled back to'} ${result.version} on ${req.env.name}`;
  if (result.status === 'rolled-back') return `${ICON['rolled-back']} ${verb} of ${result.version} to ${req.env.name} failed and was rolled back to ${result.previousVersion}`;
  return `${ICON.failed} ${verb} of ${result.version} to ${req.env.name} failed`;
}

export async function writeRunSummary(req: Pick<RunRequest, 'kind' | 'env' | 'strategy' | 'config'>, result: RunResult, dryRun: boolean): Promise<void> {
  const s = core.summary;
  s.addHeading(escapeHtml(`${dryRun ? '[dry run] ' : ''}${title(req, result)}`), 2);
  s.addRaw(`\n\`${req.config.app}\` · strategy **${req.strategy}** · ${req.env.hosts.length} host(s) · before: \`${inline(result.previousVersion)}\` · ${formatDuration(result.durationMs)}\n\n`);
  if (result.error) s.addRaw(`> **${result.status === 'deployed' ? 'Note' : 'Why'}:** ${inline(result.error)}\n\n`);
  if (result.hosts.length) writeHosts(result.hosts);
  writeEnvironment(req.kind, req.env);
  writeHooks(result);
  writeMigration(req.kind, req.env, result);
  for (const o of result.hosts.filter((h) => h.health && !h.health.healthy)) writeHealth(o, req.env);
  if (result.histories) writeHistories(result.histories);
  s.addRaw(`\n${nextSteps(req.kind, result, req.env)}\n`);
  // outside text (hook, migration and container output) may echo a secret: none reaches the summary
  const text = redact(s.stringify());
  s.emptyBuffer().addRaw(text);
  await s.write();
}

function writeHosts(hosts: readonly HostOutcome[]): void {
  const header = ['Host', 'From', 'To', 'Result', 'Time'].map((data) => ({ data, header: true }));
  const result = (o: HostOutcome) => `${ICON[o.status]} ${o.status}${o.lost ? ' (host lost: state reconciled by the post step)' : ''}${o.error ? `: ${o.error}` : ''}`;
  core.summary.addTable([header, ...hosts.map((o) => [o.host.id, o.from, o.color ? `${o.to} (${o.color})` : o.to, result(o), formatDuration(o.durationMs)].map(escapeHtml))]);
}

/** Names only: a secret's value never reaches the summary. */
function writeEnvironment(kind: RunKind, env: Environment): void {
  const clear = Object.keys(env.env.clear);
  if (!clear.length && !env.env.secret.length) return;
  const names = [...clear.map((n) => `\`${n}\``), ...env.env.secret.map((n) => `\`${n}\` (secret)`)].join(', ');
  core.summary.addRaw(
    kind === 'deploy'
      ? `\n**Environment** ${names}: written 0600 to \`.parking-ci/env/\` on every host, one file per release\n\n`
      : `\n**Environment**: each host started the release with that release's own environment file\n\n`,
  );
}

function writeHooks(result: RunResult): void {
  for (const h of result.hooks ?? []) {
    const verdict = h.ok ? '✅ ran' : h.name.startsWith('post-') ? '⚠️ failed (a warning: the run went on)' : '❌ failed (nothing was switched)';
    core.summary.addRaw(`\n**Hook ${escapeHtml(h.name)}** ${verdict} on ${escapeHtml(h.host)} (in ${h.in}) in ${formatDuration(h.durationMs)}${h.backup ? ` · backup: \`${inline(h.backup)}\`` : ''}\n\n`);
    if (h.output) core.summary.addDetails(`${escapeHtml(h.name)} output (last lines)`, `\n\n${fenced(lastChars(h.output, 4000))}\n`);
  }
}

function writeMigration(kind: RunKind, env: Environment, result: RunResult): void {
  const m = result.migration;
  if (!m) {
    if (kind === 'deploy' && !env.migrate) core.summary.addRaw('\nNo migration configured.\n\n');
    return;
  }
  core.summary.addRaw(`\n**Migration** ${m.ok ? '✅ ran once' : '❌ failed'} on ${escapeHtml(m.host)} in ${formatDuration(m.durationMs)}\n\n`);
  if (m.output) core.summary.addDetails(m.ok ? 'Migration output' : 'Migration output (last lines)', `\n\n${fenced(lastChars(m.output, 4000))}\n`);
}

function writeHealth(o: HostOutcome, env: Environment): void {
  const h = o.health!;
  const counts = new Map<string, number>();
  for (const a of h.attempts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  core.summary.addHeading(escapeHtml(`Health check of ${o.to} on ${o.host.id}`), 3);
  core.summary.addRaw(`${h.attempts.length} attempt(s) over ${formatDuration(h.attempts.at(-1)?.ms ?? 0)}: ${inline([...counts].map(([k, v]) => `${v}× ${k}`).join(', '))}\n\n`);
  core.summary.addRaw(`Ended by: ${inline(healthEndingText(h, env.health))}\n\n`);
  core.summary.addRaw(`Last response:\n\n${fenced(lastChars(h.lastResponse || '(none)', 2000))}\n\nContainer logs (last lines):\n\n${fenced(lastChars(h.logs || '(none)', 6000))}\n\n`);
}

function writeHistories(histories: Record<string, Release[]>): void {
  for (const [host, history] of Object.entries(histories)) {
    core.summary.addHeading(escapeHtml(`Release history on ${host}`), 3);
    if (!history.length) {
      core.summary.addRaw('No releases recorded yet.\n\n');
      continue;
    }
    const header = ['When', 'Version', 'Status', 'Action', 'Actor', 'Commit'].map((data) => ({ data, header: true }));
    const row = (r: Release) => [r.at, r.color ? `${r.version} (${r.color})` : r.version, r.status, r.action ?? '', r.actor, (r['git-sha'] ?? '').slice(0, 7)].map((v) => escapeHtml(String(v ?? '')));
    core.summary.addTable([header, ...[...history].reverse().slice(0, 30).map(row)]);
  }
}

function nextSteps(kind: RunKind, result: RunResult, env: Environment): string {
  if (result.histories) return 'Roll back with `to: previous` or `to: <version>` from these lists.';
  if (result.status === 'deployed') return `**Next:** to undo, run the rollback workflow for \`${env.name}\` with \`to: previous\` (back to \`${inline(result.previousVersion)}\`).`;
  if (result.status === 'rolled-back') return `**Next:** every host serves \`${inline(result.previousVersion)}\` again. Fix the failure above and deploy a new version.`;
  return kind === 'deploy' ? '**Next:** hosts keep serving what they served before unless the table says otherwise; fix the cause above and re-run.' : '**Next:** fix the cause above and re-run the rollback.';
}
