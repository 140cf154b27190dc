import * as core from '@actions/core';
import { formatDuration } from '../config/duration.js';
import type { Environment } from '../config/types.js';
import type { Release } from '../commands/releases.js';
import type { RunRequest, RunResult } from './types.js';

const ICON = { deployed: '✅', 'rolled-back': '↩️', failed: '❌', unchanged: '⏸️', skipped: '⏭️' } as const;

/** The outputs of deploy and rollback (spec §4): never anything secret. */
export function setRunOutputs(result: RunResult): void {
  core.setOutput('status', result.status);
  core.setOutput('version', result.version);
  core.setOutput('previous-version', result.previousVersion);
  core.setOutput('hosts', JSON.stringify(result.hosts.map((o) => ({ host: o.host.id, status: o.status, from: o.from, to: o.to, 'duration-ms': o.durationMs, ...(o.color ? { color: o.color } : {}) }))));
  core.setOutput('duration-ms', String(result.durationMs));
  if (result.timings) core.setOutput('timings', JSON.stringify({ 'pull-ms': result.timings.pullMs, 'healthy-ms': result.timings.healthyMs, 'migrate-ms': result.timings.migrateMs }));
}

export async function writeRunSummary(req: Pick<RunRequest, 'kind' | 'env' | 'strategy' | 'config'>, result: RunResult, dryRun: boolean): Promise<void> {
  const s = core.summary;
  const verb = req.kind === 'deploy' ? 'Deploy' : 'Rollback';
  const title =
    result.status === 'deployed'
      ? `${ICON.deployed} ${req.kind === 'deploy' ? 'Deployed' : 'Rolled back to'} ${result.version} on ${req.env.name}`
      : result.status === 'rolled-back'
        ? `${ICON['rolled-back']} ${verb} of ${result.version} to ${req.env.name} failed and was rolled back to ${result.previousVersion}`
        : `${ICON.failed} ${verb} of ${result.version} to ${req.env.name} failed`;
  s.addHeading(`${dryRun ? '[dry run] ' : ''}${title}`, 2);
  s.addRaw(`\n\`${req.config.app}\` · strategy **${req.strategy}** · ${req.env.hosts.length} host(s) · before: \`${result.previousVersion}\` · ${formatDuration(result.durationMs)}\n\n`);
  if (result.error) s.addRaw(`> **${result.status === 'deployed' ? 'Note' : 'Why'}:** ${escapeMd(result.error)}\n\n`);
  if (result.hosts.length) {
    s.addTable([
      [
        { data: 'Host', header: true },
        { data: 'From', header: true },
        { data: 'To', header: true },
        { data: 'Result', header: true },
        { data: 'Time', header: true },
      ],
      ...result.hosts.map((o) => [o.host.id, o.from, o.color ? `${o.to} (${o.color})` : o.to, `${ICON[o.status]} ${o.status}${o.error ? `: ${escapeHtml(o.error)}` : ''}`, formatDuration(o.durationMs)]),
    ]);
  }
  if (result.migration) {
    const m = result.migration;
    s.addRaw(`\n**Migration** ${m.ok ? '✅ ran once' : '❌ failed'} on ${m.host} in ${formatDuration(m.durationMs)}\n\n`);
    if (m.output) s.addDetails(m.ok ? 'Migration output' : 'Migration output (last lines)', `\n\n\`\`\`\n${tail(m.output, 4000)}\n\`\`\`\n`);
  } else if (req.kind === 'deploy' && !req.env.migrate) s.addRaw('\nNo migration configured.\n\n');
  for (const o of result.hosts.filter((h) => h.health && !h.health.healthy)) {
    const h = o.health!;
    const counts = new Map<string, number>();
    for (const a of h.attempts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
    s.addHeading(`Health check of ${o.to} on ${o.host.id}`, 3);
    s.addRaw(`${h.attempts.length} attempt(s) over ${formatDuration(h.attempts.at(-1)?.ms ?? 0)}: ${[...counts].map(([k, v]) => `${v}× ${k}`).join(', ')}\n\n`);
    s.addRaw(`Last response:\n\n\`\`\`\n${tail(h.lastResponse || '(none)', 2000)}\n\`\`\`\n\nContainer logs (last lines):\n\n\`\`\`\n${tail(h.logs || '(none)', 6000)}\n\`\`\`\n\n`);
  }
  if (result.histories) writeHistories(result.histories);
  s.addRaw(`\n${nextSteps(req.kind, result, req.env)}\n`);
  await s.write();
}

function writeHistories(histories: Record<string, Release[]>): void {
  for (const [host, history] of Object.entries(histories)) {
    core.summary.addHeading(`Release history on ${host}`, 3);
    if (!history.length) {
      core.summary.addRaw('No releases recorded yet.\n\n');
      continue;
    }
    core.summary.addTable([
      [
        { data: 'When', header: true },
        { data: 'Version', header: true },
        { data: 'Status', header: true },
        { data: 'Action', header: true },
        { data: 'Actor', header: true },
        { data: 'Commit', header: true },
      ],
      ...[...history].reverse().slice(0, 30).map((r) => [r.at, r.color ? `${r.version} (${r.color})` : r.version, r.status, r.action ?? '', r.actor, (r['git-sha'] ?? '').slice(0, 7)]),
    ]);
  }
}

function nextSteps(kind: RunRequest['kind'], result: RunResult, env: Environment): string {
  if (result.histories) return 'Roll back with `to: previous` or `to: <version>` from these lists.';
  if (result.status === 'deployed') return `**Next:** to undo, run the rollback workflow for \`${env.name}\` with \`to: previous\` (back to \`${result.previousVersion}\`).`;
  if (result.status === 'rolled-back') return `**Next:** every host serves \`${result.previousVersion}\` again. Fix the failure above and deploy a new version.`;
  return kind === 'deploy' ? '**Next:** hosts keep serving what they served before unless the table says otherwise; fix the cause above and re-run.' : '**Next:** fix the cause above and re-run the rollback.';
}

function tail(text: string, max: number): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeMd(text: string): string {
  return escapeHtml(text).replace(/\n/g, ' ');
}
