import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { truncate } from '../text.js';
import { type Channel, httpError, is2xx, isRecord, JSON_HEADERS, parseJson, snippet } from './channel.js';

// Embed limits: title 256, description 4096, 25 fields, field value 1024, all text together 6000.
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELD_VALUE_MAX = 1024;
const EMBED_TOTAL_MAX = 6000;

export function discordEmbed(m: Message, now: Date): Record<string, unknown> {
  const look = STATUS_LOOK[m.status];
  const title = truncate(`${look.emoji} ${m.title}`, TITLE_MAX);
  const fields = facts(m).map((f) => ({ name: f.label, value: truncate(f.url ? `[${f.value}](${f.url})` : f.value, FIELD_VALUE_MAX), inline: true }));
  if (m.hosts.length) fields.push({ name: 'Hosts', value: truncate(hostLines(m).join('\n'), FIELD_VALUE_MAX), inline: false });
  const footer = 'parking-ci';
  const used = [...title].length + footer.length + fields.reduce((n, f) => n + f.name.length + [...f.value].length, 0);
  const description = m.text ? truncate(m.text, Math.min(DESCRIPTION_MAX, Math.max(0, EMBED_TOTAL_MAX - used))) : undefined;
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
};
