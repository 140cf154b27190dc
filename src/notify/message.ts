import { formatDuration } from '../config/duration.js';

export const STATUSES = ['success', 'failure', 'cancelled', 'rolled-back', 'started', 'info'] as const;
export type Status = (typeof STATUSES)[number];

/** How `title` and `message` are read: plain text (the default, shown as written) or the channel's markdown. */
export const FORMATS = ['plain', 'markdown'] as const;
export type MessageFormat = (typeof FORMATS)[number];

/** Other actions' words for the same statuses, so `status: ${{ steps.deploy.outputs.status }}` just works. */
export const STATUS_ALIASES: Record<string, Status> = { deployed: 'success', failed: 'failure', skipped: 'cancelled' };

/** How each status looks, in the vocabulary every channel shares (adapters map `tone` to their colours). */
export const STATUS_LOOK: Record<Status, { label: string; emoji: string; hex: string; tone: 'good' | 'bad' | 'warn' | 'neutral' | 'accent' }> = {
  success: { label: 'Succeeded', emoji: '✅', hex: '#2EB67D', tone: 'good' },
  failure: { label: 'Failed', emoji: '❌', hex: '#E01E5A', tone: 'bad' },
  cancelled: { label: 'Cancelled', emoji: '⚪', hex: '#9E9E9E', tone: 'neutral' },
  'rolled-back': { label: 'Rolled back', emoji: '↩️', hex: '#ECB22E', tone: 'warn' },
  started: { label: 'Started', emoji: '🚀', hex: '#1D9BD1', tone: 'accent' },
  info: { label: 'Info', emoji: 'ℹ️', hex: '#1D9BD1', tone: 'accent' },
};

/** One host's line of the deploy action's `hosts` output. */
export interface HostResult {
  host: string;
  status: string;
  from?: string;
  to?: string;
  durationMs?: number;
}

/** The one message every channel renders. */
export interface Message {
  status: Status;
  title: string;
  /** The `message` input; each adapter escapes it for its format unless `format` is markdown. */
  text: string;
  /** plain: title and text are shown exactly as written; markdown: the text is the channel's markdown. Mentions never ping. */
  format: MessageFormat;
  repository?: string;
  repositoryUrl?: string;
  ref?: string;
  commit?: string;
  commitUrl?: string;
  actor?: string;
  workflow?: string;
  environment?: string;
  version?: string;
  runUrl?: string;
  hosts: HostResult[];
}

export interface Fact {
  label: string;
  value: string;
  url?: string;
}

export interface MessageInputs {
  status: Status;
  title?: string;
  text?: string;
  format?: MessageFormat;
  environment?: string;
  version?: string;
  hosts: HostResult[];
}

/** The run's context from the runner's GITHUB_* variables plus what the step was given. */
export function buildMessage(inputs: MessageInputs, env: NodeJS.ProcessEnv = process.env): Message {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_REPOSITORY || undefined;
  const repositoryUrl = repository ? `${server}/${repository}` : undefined;
  const sha = env.GITHUB_SHA || undefined;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1');
  const runUrl =
    repositoryUrl && env.GITHUB_RUN_ID
      ? `${repositoryUrl}/actions/runs/${env.GITHUB_RUN_ID}${attempt > 1 ? `/attempts/${attempt}` : ''}`
      : undefined;
  const workflow = env.GITHUB_WORKFLOW || undefined;
  return {
    status: inputs.status,
    title: inputs.title ?? defaultTitle(inputs.status, workflow, repository, inputs.environment),
    text: inputs.text ?? '',
    format: inputs.format ?? 'plain',
    repository,
    repositoryUrl,
    // A pull request's branch is its head ref; GITHUB_REF_NAME would be `123/merge`.
    ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || undefined,
    commit: sha,
    commitUrl: repositoryUrl && sha ? `${repositoryUrl}/commit/${sha}` : undefined,
    actor: env.GITHUB_ACTOR || undefined,
    workflow,
    environment: inputs.environment,
    version: inputs.version,
    runUrl,
    hosts: inputs.hosts,
  };
}

export function defaultTitle(status: Status, workflow?: string, repository?: string, environment?: string): string {
  const what = [workflow, repository && `in ${repository}`].filter(Boolean).join(' ');
  return `${STATUS_LOOK[status].label}${what ? `: ${what}` : ''}${environment ? ` (${environment})` : ''}`;
}

/** The labelled facts, in the order every channel shows them; empty ones are left out. */
export function facts(m: Message): Fact[] {
  const all: (Fact | undefined)[] = [
    m.repository ? { label: 'Repository', value: m.repository, url: m.repositoryUrl } : undefined,
    m.ref ? { label: 'Ref', value: m.ref } : undefined,
    m.commit ? { label: 'Commit', value: m.commit.slice(0, 7), url: m.commitUrl } : undefined,
    m.actor ? { label: 'Actor', value: m.actor } : undefined,
    m.environment ? { label: 'Environment', value: m.environment } : undefined,
    m.version ? { label: 'Version', value: shortVersion(m.version) } : undefined,
    m.runUrl ? { label: 'Run', value: m.workflow ? `${m.workflow} #${runNumber(m.runUrl)}` : 'View run', url: m.runUrl } : undefined,
  ];
  return all.filter((f): f is Fact => f !== undefined);
}

function runNumber(runUrl: string): string {
  return /\/runs\/(\d+)/.exec(runUrl)?.[1] ?? '';
}

/** `sha256:` digests are 71 characters; 12 hex digits identify one as well as `docker images` does. */
export function shortVersion(version: string): string {
  return /^sha256:[0-9a-f]{64}$/.test(version) ? version.slice(0, 19) : version;
}

/** Chat channels show at most this many hosts; the rest are counted in one line. */
export const MAX_HOST_LINES = 20;

/** One plain-text line per host: `❌ 10.0.0.12 failed: v1 → v2 (12.3s)`. */
export function hostLine(h: HostResult): string {
  const change = h.from || h.to ? `: ${h.from ? shortVersion(h.from) : '—'} → ${h.to ? shortVersion(h.to) : '—'}` : '';
  const time = h.durationMs !== undefined ? ` (${formatDuration(h.durationMs)})` : '';
  return `${hostEmoji(h.status)} ${h.host} ${h.status}${change}${time}`;
}

export function hostLines(m: Message, max = MAX_HOST_LINES): string[] {
  const lines = m.hosts.slice(0, max).map(hostLine);
  if (m.hosts.length > max) lines.push(`… and ${m.hosts.length - max} more host(s)`);
  return lines;
}

export function hostEmoji(status: string): string {
  if (/^(deployed|success|succeeded|ok|healthy|switched)$/i.test(status)) return '✅';
  if (/^(rolled-back|rollback)$/i.test(status)) return '↩️';
  if (/^(skipped|pending|unchanged)$/i.test(status)) return '⚪';
  return '❌';
}

/** One line summing the hosts up, for titles and previews: `2 of 3 hosts deployed`. */
export function hostTally(m: Message): string | undefined {
  if (!m.hosts.length) return undefined;
  const ok = m.hosts.filter((h) => hostEmoji(h.status) === '✅').length;
  return `${ok} of ${m.hosts.length} host(s) deployed`;
}
