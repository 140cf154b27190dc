import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { escapeMarkdown, fitSections, truncate, utf8Bytes } from '../text.js';
import { type Channel, errcodeVerdict, JSON_HEADERS, type RateLimitCode } from './channel.js';

// WeCom group robots: markdown content at most 4096 bytes of UTF-8.
const CONTENT_MAX_BYTES = 4096;
// 20 messages a minute per robot: the next minute is the first time a retry can pass.
const RATE_LIMITS: Record<number, RateLimitCode> = {
  45009: { limit: "WeCom's limit of 20 messages a minute per robot", windowMs: 60_000 },
};

/** `<@userid>` in WeCom markdown mentions someone; text from a commit message never does. */
const noMentions = (s: string): string => s.replace(/<@/g, '\\<@');

// WeCom markdown colours: info is green, warning orange, comment grey.
const FONT: Record<string, string> = { good: 'info', bad: 'warning', warn: 'warning', neutral: 'comment', accent: 'info' };

export function wecomMarkdown(m: Message): string {
  const look = STATUS_LOOK[m.status];
  return fitSections(m.text, (text) => [
    `### ${look.emoji} <font color="${FONT[look.tone]}">${escapeMarkdown(truncate(m.title, 200))}</font>`,
    !!text && (m.format === 'markdown' ? noMentions(text) : escapeMarkdown(text)),
    // WeCom markdown has no lists; quoted lines render as a compact grey block.
    facts(m).map((f) => `> ${f.label}: ${f.url ? `[${escapeMarkdown(f.value)}](${f.url})` : escapeMarkdown(f.value)}`).join('\n'),
    m.hosts.length > 0 && `**Hosts**\n${hostLines(m).map(escapeMarkdown).join('\n')}`,
  ], utf8Bytes, CONTENT_MAX_BYTES);
}

export const wecom: Channel<'wecom'> = {
  name: 'wecom',
  label: 'WeCom',
  request(m, target) {
    return { url: target.webhook, headers: JSON_HEADERS, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomMarkdown(m) } }) };
  },
  verdict: (reply) => errcodeVerdict(reply, RATE_LIMITS),
};
