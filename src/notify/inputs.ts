import * as core from '@actions/core';
import { z } from 'zod';
import { formatDuration } from '../config/duration.js';
import { UserError } from '../errors.js';
import { booleanInput, durationInput, listInput, optionalInput } from '../github/inputs.js';
import { CHANNEL_NAMES, type ChannelName, type Target } from './channels/index.js';
import { DEFAULT_POLICY, type RetryPolicy } from './deliver.js';
import { secretParts } from './urls.js';
import { FORMATS, type HostResult, type MessageFormat, type MessageInputs, STATUS_ALIASES, STATUSES } from './message.js';

/** Every input that holds a URL, token or secret: all masked before anything is logged. */
export const SECRET_INPUTS = [
  'slack-webhook',
  'dingtalk-webhook',
  'dingtalk-secret',
  'wecom-webhook',
  'feishu-webhook',
  'feishu-secret',
  'telegram-token',
  'teams-webhook',
  'discord-webhook',
  'webhook-url',
  'webhook-secret',
] as const;
type SecretInput = (typeof SECRET_INPUTS)[number];

/** Which inputs each channel needs (the first ones) and may use. */
const NEEDS: Record<ChannelName, { required: string[]; urls: string[] }> = {
  slack: { required: ['slack-webhook'], urls: ['slack-webhook'] },
  dingtalk: { required: ['dingtalk-webhook'], urls: ['dingtalk-webhook'] },
  wecom: { required: ['wecom-webhook'], urls: ['wecom-webhook'] },
  feishu: { required: ['feishu-webhook'], urls: ['feishu-webhook'] },
  telegram: { required: ['telegram-token', 'telegram-chat-id'], urls: ['telegram-api-url'] },
  teams: { required: ['teams-webhook'], urls: ['teams-webhook'] },
  discord: { required: ['discord-webhook'], urls: ['discord-webhook'] },
  webhook: { required: ['webhook-url'], urls: ['webhook-url'] },
};

export interface NotifySettings {
  targets: Target[];
  message: MessageInputs;
  policy: RetryPolicy;
  failOnError: boolean;
  /** Every secret value, to redact from anything we write ourselves (summary, errors). */
  secrets: string[];
}

const httpUrl = z.string().refine((s) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'is not an http(s) URL');

const hostsSchema = z.array(
  z.object({
    host: z.string().min(1),
    status: z.string().min(1),
    from: z.string().nullish(),
    to: z.string().nullish(),
    'duration-ms': z.number().nonnegative().nullish(),
  }),
);

/**
 * Masks a secret and the parts of it that could be logged alone: a URL's tokens, keys, signatures and
 * credentials (never its public path, which would hide `/robot/send` in every later line), a bot
 * token's key after the colon. Parts shorter than 8 characters are masked only within the whole.
 */
export function maskSecret(value: string, mask: (s: string) => void = core.setSecret): string[] {
  const parts = new Set([value, value.trim()]);
  try {
    const url = new URL(value.trim());
    for (const p of secretParts(url)) if (p.length >= 8) parts.add(p);
  } catch {
    // not a URL: a token or signing secret
    const key = value.trim().split(':')[1];
    if (key && key.length >= 8) parts.add(key);
  }
  const masked = [...parts].filter((p) => p.length > 0);
  for (const p of masked) mask(p);
  return masked;
}

/** Reads and validates every input before anything is sent; all problems are reported in one error. */
export function readNotifySettings(): NotifySettings {
  const secrets: string[] = [];
  const secret: Partial<Record<SecretInput, string>> = {};
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(name).trim();
    if (!value) continue;
    secrets.push(...maskSecret(value));
    secret[name] = value;
  }
  const value = (name: string): string | undefined => (name in secret ? secret[name as SecretInput] : optionalInput(name));

  const problems: string[] = [];
  const requested = listInput('channels').map((c) => c.toLowerCase());
  if (!requested.length) problems.push(`input "channels" is required: a comma list of ${CHANNEL_NAMES.join(', ')}`);
  const unknown = requested.filter((c) => !z.enum(CHANNEL_NAMES).safeParse(c).success);
  for (const c of unknown) problems.push(`input "channels": unknown channel "${c}"; expected one of ${CHANNEL_NAMES.join(', ')}`);
  const channels = [...new Set(requested.filter((c): c is ChannelName => !unknown.includes(c)))];
  for (const channel of channels) {
    for (const name of NEEDS[channel].required) if (!value(name)) problems.push(`input "${name}" is required when "channels" includes ${channel}`);
    for (const name of NEEDS[channel].urls) {
      const v = value(name);
      // Never echo the value: it is a credential.
      if (v && !httpUrl.safeParse(v).success) problems.push(`input "${name}" is not an http(s) URL`);
    }
  }

  const status = parseStatus(problems);
  const hosts = parseHosts(problems);
  const format = parseFormat(problems);
  const timeoutMs = guard(problems, () => boundedDuration('timeout', DEFAULT_POLICY.timeoutMs, MAX_TIMEOUT_MS));
  const deadlineMs = guard(problems, () => boundedDuration('deadline', DEFAULT_POLICY.deadlineMs, MAX_DEADLINE_MS));
  if (timeoutMs !== undefined && deadlineMs !== undefined && deadlineMs < timeoutMs) {
    problems.push(`input "deadline": ${formatDuration(deadlineMs)} is shorter than input "timeout" (${formatDuration(timeoutMs)}); the deadline bounds the whole send, every attempt and wait included`);
  }
  const retries = parseRetries(problems);
  const failOnError = guard(problems, () => booleanInput('fail-on-error', false));
  if (problems.length) throw new UserError(problems.length === 1 ? problems[0]! : `${problems.length} input problems: ${problems.join('; ')}`);

  const targets = channels.map((channel): Target => {
    const v = (name: string): string => value(name)!;
    switch (channel) {
      case 'slack':
        return { channel, webhook: v('slack-webhook') };
      case 'dingtalk':
        return { channel, webhook: v('dingtalk-webhook'), secret: value('dingtalk-secret') };
      case 'wecom':
        return { channel, webhook: v('wecom-webhook') };
      case 'feishu':
        return { channel, webhook: v('feishu-webhook'), secret: value('feishu-secret') };
      case 'telegram':
        return { channel, token: v('telegram-token'), chatId: v('telegram-chat-id'), apiUrl: value('telegram-api-url') ?? 'https://api.telegram.org' };
      case 'teams':
        return { channel, webhook: v('teams-webhook') };
      case 'discord':
        return { channel, webhook: v('discord-webhook') };
      case 'webhook':
        return { channel, url: v('webhook-url'), secret: value('webhook-secret') };
    }
  });
  return {
    targets,
    message: {
      status: status!,
      title: optionalInput('title'),
      text: optionalInput('message'),
      format: format ?? 'plain',
      environment: optionalInput('environment'),
      version: optionalInput('version'),
      hosts: hosts ?? [],
    },
    policy: { ...DEFAULT_POLICY, timeoutMs: timeoutMs ?? DEFAULT_POLICY.timeoutMs, deadlineMs: deadlineMs ?? DEFAULT_POLICY.deadlineMs, retries: retries ?? DEFAULT_POLICY.retries },
    failOnError: failOnError ?? false,
    secrets,
  };
}

function guard<T>(problems: string[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    problems.push(err.message);
    return undefined;
  }
}

// A job runs at most 6 hours; a notification that waits longer than that has already been lost.
const MAX_DEADLINE_MS = 6 * 60 * 60_000;
const MAX_TIMEOUT_MS = 5 * 60_000;

function boundedDuration(name: string, fallbackMs: number, maxMs: number): number {
  return durationInput(name, fallbackMs, [1, maxMs]);
}

function parseFormat(problems: string[]): MessageFormat | undefined {
  const raw = (optionalInput('format') ?? 'plain').toLowerCase();
  const format = z.enum(FORMATS).safeParse(raw);
  if (!format.success) problems.push(`input "format": expected ${FORMATS.join(' or ')}, got ${JSON.stringify(raw)}`);
  return format.data;
}

function parseStatus(problems: string[]) {
  const raw = (optionalInput('status') ?? 'info').toLowerCase();
  const status = z.enum(STATUSES).safeParse(STATUS_ALIASES[raw] ?? raw);
  if (!status.success) problems.push(`input "status": expected one of ${STATUSES.join(', ')} (or deployed, failed), got ${JSON.stringify(raw)}`);
  return status.data;
}

function parseRetries(problems: string[]): number | undefined {
  const raw = optionalInput('retries');
  if (raw === undefined) return undefined;
  const n = z.coerce.number().int().min(0).max(10).safeParse(raw);
  if (!n.success) problems.push(`input "retries": expected a whole number from 0 to 10, got ${JSON.stringify(raw)}`);
  return n.data;
}

function parseHosts(problems: string[]): HostResult[] | undefined {
  const raw = optionalInput('hosts');
  if (raw === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    problems.push('input "hosts": not valid JSON; pass the deploy action\'s hosts output (a JSON array of {host, status, from, to, duration-ms})');
    return undefined;
  }
  const parsed = hostsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `item ${Number(issue.path[0]) + 1}${issue.path[1] !== undefined ? ` "${String(issue.path[1])}"` : ''}: ` : '';
    problems.push(`input "hosts": ${where}${issue.message}; expected a JSON array of {host, status, from, to, duration-ms}`);
    return undefined;
  }
  return parsed.data.map((h) => ({ host: h.host, status: h.status, from: h.from ?? undefined, to: h.to ?? undefined, durationMs: h['duration-ms'] ?? undefined }));
}

/** Replaces every secret in text we write ourselves, longest first (a URL before its path). */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s) out = out.split(s).join('***');
  return out;
}
