import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { fitText, truncate, utf8Bytes } from '../text.js';
import { type Channel, errcodeVerdict, JSON_HEADERS } from './channel.js';

// WeCom group robots: markdown content at most 4096 bytes of UTF-8; 20 messages a minute
// (errcode 45009 when exceeded).
const CONTENT_MAX_BYTES = 4096;
const RATE_LIMITED = [45009];

// WeCom markdown colours: info is green, warning orange, comment grey.
const FONT: Record<string, string> = { good: 'info', bad: 'warning', warn: 'warning', neutral: 'comment', accent: 'info' };

export function wecomMarkdown(m: Message): string {
  const look = STATUS_LOOK[m.status];
  const render = (text: string): string => {
    const parts = [`### ${look.emoji} <font color="${FONT[look.tone]}">${truncate(m.title, 200)}</font>`];
    if (text) parts.push(text);
    // WeCom markdown has no lists; quoted lines render as a compact grey block.
    parts.push(facts(m).map((f) => `> ${f.label}: ${f.url ? `[${f.value}](${f.url})` : f.value}`).join('\n'));
    if (m.hosts.length) parts.push(`**Hosts**\n${hostLines(m).join('\n')}`);
    return parts.join('\n\n');
  };
  return fitText(m.text, render, utf8Bytes, CONTENT_MAX_BYTES);
}

export const wecom: Channel<'wecom'> = {
  name: 'wecom',
  label: 'WeCom',
  request(m, target) {
    return { url: target.webhook, headers: JSON_HEADERS, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomMarkdown(m) } }) };
  },
  verdict: (reply) => errcodeVerdict(reply, RATE_LIMITED),
};
