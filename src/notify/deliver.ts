import { formatDuration } from '../config/duration.js';
import type { Message } from './message.js';
import { CHANNELS, type ChannelName, type HttpReply, isRecord, parseJson, type Target, type Verdict } from './channels/index.js';

export interface RetryPolicy {
  /** Per request, from sending to the whole answer read. */
  timeoutMs: number;
  /** Further attempts after the first, for 429, 5xx and the channels' own rate-limit codes. */
  retries: number;
  /** First backoff; doubled each attempt. */
  backoffMs: number;
  /** A Retry-After longer than this is not waited for: the channel is reported failed instead. */
  maxWaitMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = { timeoutMs: 10_000, retries: 3, backoffMs: 1000, maxWaitMs: 60_000 };

export interface Delivery {
  channel: ChannelName;
  label: string;
  delivered: boolean;
  /** Why it failed, naming what the channel said; never the URL. */
  error?: string;
  /** Delivered, but something the user should fix (a retired Teams connector). */
  warning?: string;
  attempts: number;
  durationMs: number;
}

/** What happened to one attempt, before deciding whether to try again. */
type Attempt =
  | { kind: 'verdict'; verdict: Verdict }
  | { kind: 'retryable'; error: string; retryAfterMs?: number }
  | { kind: 'fatal'; error: string };

export interface DeliverDeps {
  log: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  fetch: typeof fetch;
}

const defaultDeps: DeliverDeps = {
  log: () => {},
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => new Date(),
  fetch: (...args) => fetch(...args),
};

/** Sends the message to one channel, retrying what is worth retrying; never throws. */
export async function deliver(target: Target, message: Message, policy: RetryPolicy = DEFAULT_POLICY, deps: Partial<DeliverDeps> = {}): Promise<Delivery> {
  const d = { ...defaultDeps, ...deps };
  const channel = CHANNELS[target.channel] as (typeof CHANNELS)[ChannelName];
  const started = Date.now();
  const result = (attempts: number, v: { delivered: boolean; error?: string; warning?: string }): Delivery => ({
    channel: target.channel,
    label: channel.label,
    ...v,
    attempts,
    durationMs: Date.now() - started,
  });

  for (let attempt = 1; ; attempt++) {
    // Rebuilt each time: DingTalk and Feishu signatures carry a timestamp.
    const request = channel.request(message, target as never, d.now());
    const outcome = await attemptOnce(request, policy.timeoutMs, d.fetch, (reply) => channel.verdict(reply, target as never));
    if (outcome.kind === 'fatal') return result(attempt, { delivered: false, error: outcome.error });
    if (outcome.kind === 'verdict' && outcome.verdict.delivered) return result(attempt, { delivered: true, warning: outcome.verdict.warning });
    const error = outcome.kind === 'verdict' ? (outcome.verdict as { error: string }).error : outcome.error;
    const retryable = outcome.kind === 'retryable' || (outcome.kind === 'verdict' && !outcome.verdict.delivered && outcome.verdict.retry === true);
    if (!retryable) return result(attempt, { delivered: false, error });
    if (attempt > policy.retries) return result(attempt, { delivered: false, error: `${error} (gave up after ${attempt} attempts)` });
    const asked = outcome.kind === 'retryable' ? outcome.retryAfterMs : undefined;
    if (asked !== undefined && asked > policy.maxWaitMs) {
      return result(attempt, { delivered: false, error: `${error}; asked to retry after ${formatDuration(asked)}, longer than we wait (${formatDuration(policy.maxWaitMs)})` });
    }
    const wait = asked ?? policy.backoffMs * 2 ** (attempt - 1);
    d.log(`${channel.label}: ${error}; retrying in ${formatDuration(wait)} (attempt ${attempt + 1} of ${policy.retries + 1})`);
    await d.sleep(wait);
  }
}

async function attemptOnce(
  request: { url: string; headers: Record<string, string>; body: string },
  timeoutMs: number,
  fetchFn: typeof fetch,
  verdict: (reply: HttpReply) => Verdict,
): Promise<Attempt> {
  let reply: HttpReply & { retryAfter: string | null };
  try {
    const res = await fetchFn(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    reply = { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    return networkFailure(err, timeoutMs);
  }
  if (reply.status === 429 || reply.status >= 500) {
    return { kind: 'retryable', error: `HTTP ${reply.status}${reply.status === 429 ? ' (rate limited)' : ''}`, retryAfterMs: retryAfterMs(reply.retryAfter, reply.body) };
  }
  return { kind: 'verdict', verdict: verdict(reply) };
}

/**
 * A failed connection, described without the URL (undici's messages can carry host and port).
 * Only a reset is retried: the request never got an answer but the server exists. A timeout is not:
 * the channel may have received the message, and waiting again would multiply the step's time.
 */
function networkFailure(err: unknown, timeoutMs: number): Attempt {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { kind: 'fatal', error: `no answer within ${formatDuration(timeoutMs)} (timeout)` };
  }
  const cause = err instanceof Error && isRecord(err.cause) ? err.cause : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (cause && (cause.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')) {
    return { kind: 'fatal', error: `no answer within ${formatDuration(timeoutMs)} (timeout)` };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'fatal', error: 'connection refused' };
    case 'ENOTFOUND':
      return { kind: 'fatal', error: 'host not found (DNS)' };
    case 'EAI_AGAIN':
      return { kind: 'retryable', error: 'DNS lookup failed temporarily' };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return { kind: 'retryable', error: 'connection reset' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'fatal', error: 'host unreachable' };
    default:
      return { kind: 'fatal', error: code ? `network error (${code})` : 'network error' };
  }
}

/** Retry-After in seconds or as an HTTP date; Telegram and Discord also put `retry_after` (seconds) in the body. */
export function retryAfterMs(header: string | null, body: string): number | undefined {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const json = parseJson(body);
  const inBody = isRecord(json) ? (isRecord(json.parameters) ? json.parameters.retry_after : json.retry_after) : undefined;
  return typeof inBody === 'number' && inBody >= 0 ? Math.round(inBody * 1000) : undefined;
}
