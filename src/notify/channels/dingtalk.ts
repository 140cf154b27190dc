import { createHmac } from 'node:crypto';
import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { escapeMarkdown, fitSections, truncate, utf8Bytes } from '../text.js';
import { type Channel, errcodeVerdict, JSON_HEADERS, type RateLimitCode } from './channel.js';

// DingTalk drops markdown messages much over 20000 bytes.
const TEXT_MAX_BYTES = 20_000;
// 20 messages a minute per robot; past that DingTalk throttles the robot for 10 minutes, so no retry
// within a step can pass it.
const RATE_LIMITS: Record<number, RateLimitCode> = {
  130101: { limit: "DingTalk's limit of 20 messages a minute per robot", then: 'DingTalk then blocks the robot for 10 minutes' },
};

/**
 * The `sign` query parameter of a DingTalk robot with "加签" security: base64 of
 * HMAC-SHA256(key = secret, data = `${timestamp}\n${secret}`), timestamp in milliseconds.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkMarkdown(m: Message): string {
  const look = STATUS_LOOK[m.status];
  return fitSections(m.text, (text) => [
    `### ${look.emoji} ${escapeMarkdown(truncate(m.title, 200))}`,
    !!text && (m.format === 'markdown' ? text : escapeMarkdown(text)),
    facts(m).map((f) => `- **${f.label}**: ${f.url ? `[${escapeMarkdown(f.value)}](${f.url})` : escapeMarkdown(f.value)}`).join('\n'),
    m.hosts.length > 0 && `**Hosts**\n\n${hostLines(m).map((l) => `- ${escapeMarkdown(l)}`).join('\n')}`,
  ], utf8Bytes, TEXT_MAX_BYTES);
}

export const dingtalk: Channel<'dingtalk'> = {
  name: 'dingtalk',
  label: 'DingTalk',
  request(m, target, now) {
    const url = new URL(target.webhook);
    if (target.secret) {
      const timestamp = now.getTime();
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('sign', dingtalkSign(target.secret, timestamp));
    }
    // `title` is what the notification preview shows; a robot with keyword security needs the keyword in the text.
    const body = { msgtype: 'markdown', markdown: { title: truncate(`${STATUS_LOOK[m.status].emoji} ${m.title}`, 100), text: dingtalkMarkdown(m) } };
    return { url: url.toString(), headers: JSON_HEADERS, body: JSON.stringify(body) };
  },
  verdict: (reply) => errcodeVerdict(reply, RATE_LIMITS),
};
