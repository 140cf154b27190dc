import type { Message } from '../message.js';

export const CHANNEL_NAMES = ['slack', 'dingtalk', 'wecom', 'feishu', 'telegram', 'teams', 'discord', 'webhook'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** Where one channel delivers, from the step's inputs; every string here except chatId is a secret. */
export type Target =
  | { channel: 'slack'; webhook: string }
  | { channel: 'dingtalk'; webhook: string; secret?: string }
  | { channel: 'wecom'; webhook: string }
  | { channel: 'feishu'; webhook: string; secret?: string }
  | { channel: 'telegram'; token: string; chatId: string; apiUrl: string }
  | { channel: 'teams'; webhook: string }
  | { channel: 'discord'; webhook: string }
  | { channel: 'webhook'; url: string; secret?: string };

export type TargetOf<N extends ChannelName> = Extract<Target, { channel: N }>;

/** A POST request, as data: adapters build it, the delivery layer sends it. */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpReply {
  status: number;
  body: string;
  /** Lower-case names; absent in tests that only look at the body. */
  headers?: Record<string, string | undefined>;
}

/**
 * What a channel made of a reply that was not a 3xx, 429 or 5xx (the delivery layer handles those).
 * `retry` marks a rate limit that a later attempt can pass; `retryAfterMs` is the window the channel
 * documents, waited out exactly (when it fits the deadline) instead of the backoff.
 */
export type Verdict =
  | { delivered: true; warning?: string }
  | { delivered: false; error: string; retry?: boolean; retryAfterMs?: number };

/** One adapter: the channel's native payload for a message, and how to read the channel's answer. */
export interface Channel<N extends ChannelName = ChannelName> {
  name: N;
  label: string;
  request(message: Message, target: TargetOf<N>, now: Date): HttpRequest;
  verdict(reply: HttpReply, target: TargetOf<N>): Verdict;
  /** Which of the channel's documented limits an HTTP 429 means, for the error line. */
  rateLimit?(reply: HttpReply): string;
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'parking-ci-notify' };

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A reply body short enough for one log line; whitespace collapsed. */
export function snippet(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat || '(empty body)';
}

export const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** A non-2xx reply: the status and what the channel said. */
export function httpError(reply: HttpReply, said?: string): Verdict {
  return { delivered: false, error: `HTTP ${reply.status}: ${said ?? snippet(reply.body)}` };
}

/**
 * A documented rate-limit code: what the limit is, and whether waiting can pass it — `windowMs` when
 * the limit clears after a known window (waited out when it fits the deadline), `backoff` when a
 * short wait helps, neither when the channel blocks for longer than any step should wait.
 */
export interface RateLimitCode {
  limit: string;
  /** What the channel does once the limit is hit, when that is why we do not retry. */
  then?: string;
  windowMs?: number;
  backoff?: boolean;
}

/** The verdict for a rate-limit code: the channel's words, then which limit was hit. */
export function rateLimitVerdict(said: string, code: RateLimitCode): Verdict {
  const error = `${said} — ${code.limit} was hit${code.then ? `, and ${code.then}` : ''}`;
  if (code.windowMs !== undefined) return { delivered: false, error, retry: true, retryAfterMs: code.windowMs };
  if (code.backoff) return { delivered: false, error, retry: true };
  return { delivered: false, error: `${error}; not retried` };
}

/** DingTalk and WeCom answer HTTP 200 with `{errcode, errmsg}`; only errcode 0 is a delivery. */
export function errcodeVerdict(reply: HttpReply, rateLimits: Record<number, RateLimitCode>): Verdict {
  const body = parseJson(reply.body);
  if (!isRecord(body) || typeof body.errcode !== 'number') {
    return is2xx(reply.status) ? { delivered: false, error: `unexpected answer: ${snippet(reply.body)}` } : httpError(reply);
  }
  if (body.errcode === 0) return { delivered: true };
  const said = `errcode ${body.errcode}: ${snippet(String(body.errmsg ?? ''))}`;
  const limit = rateLimits[body.errcode];
  return limit ? rateLimitVerdict(said, limit) : { delivered: false, error: said };
}
