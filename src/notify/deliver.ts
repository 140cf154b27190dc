import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { formatDuration } from '../config/duration.js';
import type { Message } from './message.js';
import { CHANNELS, type ChannelName, type HttpReply, type HttpRequest, isRecord, parseJson, type Target } from './channels/index.js';
import { publicUrl } from './urls.js';

export interface RetryPolicy {
  /** Per request, from connecting to the whole answer read. */
  timeoutMs: number;
  /** Further attempts after the first, for 429, 5xx and the channels' own rate-limit codes. */
  retries: number;
  /** First backoff; doubled each attempt, jittered, never above maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After (or a documented rate-limit window) longer than this is not waited for. */
  maxWaitMs: number;
  /** The whole send to one channel — every attempt and wait — ends within this. */
  deadlineMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = { timeoutMs: 10_000, retries: 3, backoffMs: 1000, maxBackoffMs: 15_000, maxWaitMs: 60_000, deadlineMs: 120_000 };

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

/** An answer as it came off the wire: header names lower-case. */
export interface RawReply {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Sends one request, never following a redirect; rejects with a TransportError. */
export type Transport = (request: HttpRequest, timeoutMs: number) => Promise<RawReply>;

/** A request that got no answer; `sent` says whether any of it can have reached the channel. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'connect-timeout' | 'timeout' | 'network',
    readonly sent: boolean,
    readonly code?: string,
  ) {
    super(code ?? kind);
    this.name = 'TransportError';
  }
}

/** What happened to one attempt, before deciding whether to try again. */
type Attempt =
  | { kind: 'delivered'; warning?: string }
  | { kind: 'failed'; error: string; retry: boolean; retryAfterMs?: number };

export interface DeliverDeps {
  log: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** The clock for signatures, waits and the deadline. */
  now: () => Date;
  /** In [0, 1): the jitter of each backoff. */
  random: () => number;
  transport: Transport;
}

const BODY_MAX_BYTES = 64 * 1024;

/**
 * node:http rather than fetch: fetch cannot tell a connection that never opened (nothing sent, safe to
 * retry) from an answer that never came (the channel may have the message).
 */
export const httpTransport: Transport = (request, timeoutMs) =>
  new Promise<RawReply>((resolve, reject) => {
    const url = new URL(request.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let connected = false;
    const req = send(url, { method: 'POST', headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) } });
    const timer = setTimeout(() => {
      reject(new TransportError(connected ? 'timeout' : 'connect-timeout', connected));
      req.destroy();
    }, timeoutMs);
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true; // a kept-alive connection
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      const code = isRecord(err) && typeof err.code === 'string' ? err.code : undefined;
      reject(new TransportError('network', connected, code));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        // A channel's answer is short; a huge one is read to its end but not kept.
        if (size < BODY_MAX_BYTES) chunks.push(d);
        size += d.length;
      });
      let ended = false;
      res.on('end', () => {
        ended = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') });
      });
      // Cut off mid-answer: the request was sent, so it may have been delivered.
      res.on('error', () => undefined);
      res.on('close', () => {
        if (ended) return;
        clearTimeout(timer);
        reject(new TransportError('network', true, 'ANSWER_CUT_OFF'));
      });
    });
    req.end(request.body);
  });

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const defaultDeps: DeliverDeps = {
  log: () => {},
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => new Date(),
  random: Math.random,
  transport: httpTransport,
};

/** Equal jitter: between half and all of the doubled step, never above the ceiling. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: number): number {
  const step = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
  return Math.round(Math.min(policy.maxBackoffMs, step / 2 + (step / 2) * random));
}

/** Sends the message to one channel, retrying what is worth retrying, within the deadline; never throws. */
export async function deliver(target: Target, message: Message, policy: RetryPolicy = DEFAULT_POLICY, deps: Partial<DeliverDeps> = {}): Promise<Delivery> {
  const d = { ...defaultDeps, ...deps };
  const channel = CHANNELS[target.channel] as (typeof CHANNELS)[ChannelName];
  const started = d.now().getTime();
  const deadline = started + policy.deadlineMs;
  const result = (attempts: number, v: { delivered: boolean; error?: string; warning?: string }): Delivery => ({
    channel: target.channel,
    label: channel.label,
    ...v,
    attempts,
    durationMs: d.now().getTime() - started,
  });

  for (let attempt = 1; ; attempt++) {
    // Rebuilt each time: DingTalk and Feishu signatures carry a timestamp.
    const request = channel.request(message, target as never, d.now());
    const timeoutMs = Math.max(1, Math.min(policy.timeoutMs, deadline - d.now().getTime()));
    const outcome = await attemptOnce(request, timeoutMs, d.transport, channel, target);
    if (outcome.kind === 'delivered') return result(attempt, { delivered: true, warning: outcome.warning });
    const { error } = outcome;
    if (!outcome.retry) return result(attempt, { delivered: false, error });
    if (attempt > policy.retries) return result(attempt, { delivered: false, error: `${error} (gave up after ${attempt} attempts)` });
    const asked = outcome.retryAfterMs;
    if (asked !== undefined && asked > policy.maxWaitMs) {
      return result(attempt, { delivered: false, error: `${error}; asked to retry after ${formatDuration(asked)}, longer than we wait (${formatDuration(policy.maxWaitMs)})` });
    }
    const wait = asked ?? backoffMs(policy, attempt, d.random());
    if (d.now().getTime() + wait >= deadline) {
      return result(attempt, { delivered: false, error: `${error}; not retried: the next attempt (in ${formatDuration(wait)}) would pass the send deadline of ${formatDuration(policy.deadlineMs)}` });
    }
    d.log(`${channel.label}: ${error}; retrying in ${formatDuration(wait)} (attempt ${attempt + 1} of ${policy.retries + 1})`);
    await d.sleep(wait);
  }
}

async function attemptOnce(request: HttpRequest, timeoutMs: number, transport: Transport, channel: (typeof CHANNELS)[ChannelName], target: Target): Promise<Attempt> {
  let raw: RawReply;
  try {
    raw = await transport(request, timeoutMs);
  } catch (err) {
    return networkFailure(err, timeoutMs);
  }
  const reply: HttpReply = { status: raw.status, body: raw.body, headers: raw.headers };
  if (reply.status >= 300 && reply.status < 400) {
    // Following it would post the message to whatever answers there and count its 200 as a delivery.
    const where = raw.headers.location ? ` to ${publicUrl(raw.headers.location, request.url)}` : ' without a location';
    return { kind: 'failed', error: `redirected (HTTP ${reply.status})${where}; use the final URL as the webhook`, retry: false };
  }
  if (reply.status === 429) {
    const limit = channel.rateLimit?.(reply);
    return { kind: 'failed', error: `HTTP 429 (rate limited${limit ? `: ${limit}` : ''})`, retry: true, retryAfterMs: retryAfterMs(raw.headers, raw.body) };
  }
  if (reply.status >= 500) return { kind: 'failed', error: `HTTP ${reply.status}`, retry: true, retryAfterMs: retryAfterMs(raw.headers, raw.body) };
  const verdict = channel.verdict(reply, target as never);
  return verdict.delivered
    ? { kind: 'delivered', warning: verdict.warning }
    : { kind: 'failed', error: verdict.error, retry: verdict.retry === true, retryAfterMs: verdict.retryAfterMs };
}

/**
 * A failed connection, described without the URL. Retried only when nothing can have reached the
 * channel (the connection never opened, or was reset before an answer); a request that was sent and
 * never answered is not: the channel may have the message, and a duplicate is worse than a warning.
 */
function networkFailure(err: unknown, timeoutMs: number): Attempt {
  const e = err instanceof TransportError ? err : new TransportError('network', true, isRecord(err) && typeof err.code === 'string' ? err.code : undefined);
  if (e.kind === 'connect-timeout') return { kind: 'failed', error: `could not connect within ${formatDuration(timeoutMs)} (nothing was sent)`, retry: true };
  if (e.kind === 'timeout') return { kind: 'failed', error: `no answer within ${formatDuration(timeoutMs)} (timeout; the channel may have received it)`, retry: false };
  switch (e.code) {
    case 'ECONNREFUSED':
      return { kind: 'failed', error: 'connection refused', retry: false };
    case 'ENOTFOUND':
      return { kind: 'failed', error: 'host not found (DNS)', retry: false };
    case 'EAI_AGAIN':
      return { kind: 'failed', error: 'DNS lookup failed temporarily', retry: true };
    case 'ETIMEDOUT':
      return e.sent ? { kind: 'failed', error: 'connection timed out after the request was sent', retry: false } : { kind: 'failed', error: 'could not connect (timed out; nothing was sent)', retry: true };
    case 'ANSWER_CUT_OFF':
      return { kind: 'failed', error: 'the answer was cut off (the channel may have received it)', retry: false };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'failed', error: 'connection reset', retry: true };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'failed', error: 'host unreachable', retry: false };
    default:
      return { kind: 'failed', error: e.code ? `network error (${e.code})` : 'network error', retry: false };
  }
}

/**
 * How long the channel asked us to wait: Retry-After (seconds or an HTTP date), Feishu's
 * `x-ogw-ratelimit-reset` (seconds), or the `retry_after` seconds Telegram (under `parameters`) and
 * Discord put in the body.
 */
export function retryAfterMs(headers: Record<string, string | undefined> | string | null, body: string): number | undefined {
  const h = typeof headers === 'string' || headers === null ? { 'retry-after': headers ?? undefined } : headers;
  // The body's seconds first: Discord's carry the fraction its Retry-After header rounds up.
  const json = parseJson(body);
  const inBody = isRecord(json) ? (isRecord(json.parameters) ? json.parameters.retry_after : json.retry_after) : undefined;
  if (typeof inBody === 'number' && inBody >= 0) return Math.round(inBody * 1000);
  const header = h['retry-after'];
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const reset = Number(h['x-ogw-ratelimit-reset']);
  return h['x-ogw-ratelimit-reset'] && Number.isFinite(reset) && reset >= 0 ? Math.round(reset * 1000) : undefined;
}
