import { createHmac } from 'node:crypto';
import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { fitText, truncate, utf8Bytes } from '../text.js';
import { type Channel, httpError, is2xx, isRecord, JSON_HEADERS, parseJson, type RateLimitCode, rateLimitVerdict, snippet } from './channel.js';

// Feishu custom bots take request bodies up to 20 KB.
const BODY_MAX_BYTES = 20 * 1024;
// 100 messages a minute and 5 a second per bot (code 11232): the per-second limit passes with a
// short backoff. Code 9499 is Feishu's "Bad Request", which no retry fixes. The gateway's own limit
// is HTTP 429 (or 400 on older endpoints) with code 99991400 and `x-ogw-ratelimit-reset` in seconds.
const RATE_LIMITS: Record<number, RateLimitCode> = {
  11232: { limit: "Feishu's limit of 5 messages a second and 100 a minute per bot", backoff: true },
};
const GATEWAY_LIMITED = 99991400;
const TEMPLATE: Record<string, string> = { good: 'green', bad: 'red', warn: 'orange', neutral: 'grey', accent: 'blue' };

/**
 * The `sign` body field of a Feishu bot with signature verification: base64 of
 * HMAC-SHA256(key = `${timestamp}\n${secret}`, data = empty), timestamp in seconds.
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update(Buffer.alloc(0)).digest('base64');
}

// lark_md understands markdown and a few tags; values come from branch names and versions.
const escapeLarkMd = (s: string): string => s.replace(/([\\`*_[\]~<>])/g, '\\$1');
/** `<at id=all></at>` in lark_md mentions everyone; the user's markdown keeps its formatting, not its mentions. */
const noMentions = (s: string): string => s.replace(/<at\b/gi, '\\<at');

export function feishuCard(m: Message, text: string): Record<string, unknown> {
  const look = STATUS_LOOK[m.status];
  const elements: unknown[] = [];
  // plain_text: the user's message is shown exactly as written; lark_md when it is markdown.
  if (text) elements.push({ tag: 'div', text: m.format === 'markdown' ? { tag: 'lark_md', content: noMentions(text) } : { tag: 'plain_text', content: text } });
  const fields = facts(m).map((f) => ({
    is_short: true,
    text: { tag: 'lark_md', content: `**${f.label}**\n${f.url ? `[${escapeLarkMd(f.value)}](${f.url})` : escapeLarkMd(f.value)}` },
  }));
  if (fields.length) elements.push({ tag: 'div', fields });
  if (m.hosts.length) {
    elements.push({ tag: 'hr' });
    elements.push({ tag: 'div', text: { tag: 'lark_md', content: `**Hosts**\n${hostLines(m).map(escapeLarkMd).join('\n')}` } });
  }
  if (m.runUrl) {
    elements.push({ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'View run' }, type: 'default', url: m.runUrl }] });
  }
  return {
    config: { wide_screen_mode: true },
    header: { template: TEMPLATE[look.tone], title: { tag: 'plain_text', content: truncate(`${look.emoji} ${m.title}`, 200) } },
    elements,
  };
}

export const feishu: Channel<'feishu'> = {
  name: 'feishu',
  label: 'Feishu',
  request(m, target, now) {
    const signature: Record<string, string> = {};
    if (target.secret) {
      const timestamp = Math.floor(now.getTime() / 1000);
      signature.timestamp = String(timestamp);
      signature.sign = feishuSign(target.secret, timestamp);
    }
    const body = fitText(m.text, (text) => JSON.stringify({ ...signature, msg_type: 'interactive', card: feishuCard(m, text) }), utf8Bytes, BODY_MAX_BYTES);
    return { url: target.webhook, headers: JSON_HEADERS, body };
  },
  verdict(reply) {
    const body = parseJson(reply.body);
    // Current bots answer `{code, msg}`; older ones `{StatusCode, StatusMessage}`.
    const code = isRecord(body) ? (body.code ?? body.StatusCode) : undefined;
    if (typeof code !== 'number') return is2xx(reply.status) ? { delivered: false, error: `unexpected answer: ${snippet(reply.body)}` } : httpError(reply);
    if (code === 0) return { delivered: true };
    const said = `code ${code}: ${snippet(isRecord(body) ? String(body.msg ?? body.StatusMessage ?? '') : '')}`;
    if (code === GATEWAY_LIMITED) {
      const reset = Number(reply.headers?.['x-ogw-ratelimit-reset']);
      return { delivered: false, error: `${said} — Feishu's API gateway limit was hit`, retry: true, retryAfterMs: Number.isFinite(reset) && reset >= 0 ? reset * 1000 : undefined };
    }
    const limit = RATE_LIMITS[code];
    return limit ? rateLimitVerdict(said, limit) : { delivered: false, error: said };
  },
  rateLimit: () => "Feishu's API gateway limit",
};
