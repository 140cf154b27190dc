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
}

/** What a channel made of a reply that was not a 429 or 5xx (those are retried before we ask). */
export type Verdict =
  | { delivered: true; warning?: string }
  | { delivered: false; error: string; retry?: boolean };

/** One adapter: the channel's native payload for a message, and how to read the channel's answer. */
export interface Channel<N extends ChannelName = ChannelName> {
  name: N;
  label: string;
  request(message: Message, target: TargetOf<N>, now: Date): HttpRequest;
  verdict(reply: HttpReply, target: TargetOf<N>): Verdict;
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

/** DingTalk and WeCom answer HTTP 200 with `{errcode, errmsg}`; only errcode 0 is a delivery. */
export function errcodeVerdict(reply: HttpReply, rateLimitCodes: number[]): Verdict {
  const body = parseJson(reply.body);
  if (!isRecord(body) || typeof body.errcode !== 'number') {
    return is2xx(reply.status) ? { delivered: false, error: `unexpected answer: ${snippet(reply.body)}` } : httpError(reply);
  }
  if (body.errcode === 0) return { delivered: true };
  return {
    delivered: false,
    error: `errcode ${body.errcode}: ${snippet(String(body.errmsg ?? ''))}`,
    retry: rateLimitCodes.includes(body.errcode),
  };
}
