import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { escapeMarkdown, fitText, truncate } from '../text.js';
import { type Channel, httpError, is2xx, isRecord, JSON_HEADERS, parseJson, snippet } from './channel.js';

// Embed limits: title 256, description 4096, 25 fields, field value 1024, all text together 6000.
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELD_VALUE_MAX = 1024;
const EMBED_TOTAL_MAX = 6000;

// Discord reads embed titles, descriptions and field values as markdown; plain text is escaped
// (backslashes, which Discord removes when it renders). Mentions never ping: see allowed_mentions.
export function discordEmbed(m: Message, now: Date): Record<string, unknown> {
  const look = STATUS_LOOK[m.status];
  const length = (s: string): number => [...s].length;
  const title = fitText(m.title, (t) => `${look.emoji} ${escapeMarkdown(t)}`, length, TITLE_MAX);
  const fields = facts(m).map((f) => ({ name: f.label, value: truncate(f.url ? `[${escapeMarkdown(f.value)}](${f.url})` : escapeMarkdown(f.value), FIELD_VALUE_MAX), inline: true }));
  if (m.hosts.length) fields.push({ name: 'Hosts', value: truncate(hostLines(m).map(escapeMarkdown).join('\n'), FIELD_VALUE_MAX), inline: false });
  const footer = 'parking-ci';
  const used = length(title) + footer.length + fields.reduce((n, f) => n + f.name.length + length(f.value), 0);
  const room = Math.min(DESCRIPTION_MAX, Math.max(0, EMBED_TOTAL_MAX - used));
  const description = m.text ? (m.format === 'markdown' ? truncate(m.text, room) : fitText(m.text, escapeMarkdown, length, room)) : undefined;
  return {
    title,
    ...(description ? { description } : {}),
    ...(m.runUrl ? { url: m.runUrl } : {}),
    color: parseInt(look.hex.slice(1), 16),
    fields,
    footer: { text: footer },
    timestamp: now.toISOString(),
  };
}

export const discord: Channel<'discord'> = {
  name: 'discord',
  label: 'Discord',
  request(m, target, now) {
    // wait=true makes Discord answer with the created message, so a 200 means it was posted.
    const url = new URL(target.webhook);
    url.searchParams.set('wait', 'true');
    // No @everyone or role pings from text that came from a commit message.
    const body = { username: 'parking-ci', embeds: [discordEmbed(m, now)], allowed_mentions: { parse: [] } };
    return { url: url.toString(), headers: JSON_HEADERS, body: JSON.stringify(body) };
  },
  verdict(reply) {
    const json = parseJson(reply.body);
    const said = isRecord(json) && 'message' in json ? `${String(json.message)}${json.code !== undefined ? ` (code ${String(json.code)})` : ''}` : undefined;
    if (!is2xx(reply.status)) return httpError(reply, said && snippet(said));
    if (reply.status === 204 || (isRecord(json) && typeof json.id === 'string')) return { delivered: true };
    return { delivered: false, error: said ? snippet(said) : `unexpected answer: ${snippet(reply.body)}` };
  },
  rateLimit(reply) {
    const json = parseJson(reply.body);
    const scope = isRecord(json) && json.global === true ? 'global' : reply.headers?.['x-ratelimit-scope'];
    return scope === 'global' ? "Discord's global rate limit" : "Discord's rate limit for this webhook";
  },
};
