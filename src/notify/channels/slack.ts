import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { escapeSlack, fitText, truncate } from '../text.js';
import { type Channel, httpError, is2xx, isRecord, JSON_HEADERS, parseJson, snippet } from './channel.js';

// Block Kit limits: header text 150 characters, section text 3000, 10 fields per section of 2000 each.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

/**
 * Slack incoming webhook with Block Kit blocks; `text` is the notification preview, read as mrkdwn,
 * so it is escaped like every mrkdwn field (`<!channel>` in a title pings nobody). Plain text goes in
 * plain_text objects, which Slack never formats; with `format: markdown` the message is mrkdwn.
 */
export const slack: Channel<'slack'> = {
  name: 'slack',
  label: 'Slack',
  request(m, target) {
    const look = STATUS_LOOK[m.status];
    const fields = facts(m).map((f) => ({
      type: 'mrkdwn',
      text: `*${f.label}*\n${f.url ? `<${f.url}|${escapeSlack(f.value)}>` : escapeSlack(f.value)}`,
    }));
    const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(`${look.emoji} ${m.title}`, HEADER_MAX), emoji: true } }];
    if (m.text) {
      const text = m.format === 'markdown' ? { type: 'mrkdwn', text: fitText(m.text, escapeSlack, (s) => s.length, SECTION_MAX) } : { type: 'plain_text', text: truncate(m.text, SECTION_MAX, (s) => s.length), emoji: true };
      blocks.push({ type: 'section', text });
    }
    if (fields.length) blocks.push({ type: 'section', fields: fields.slice(0, 10) });
    if (m.hosts.length) {
      const hosts = truncate(`*Hosts*\n${hostLines(m).map(escapeSlack).join('\n')}`, SECTION_MAX);
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: hosts } });
    }
    if (m.runUrl) blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'View run' }, url: m.runUrl }] });
    return { url: target.webhook, headers: JSON_HEADERS, body: JSON.stringify({ text: `${look.emoji} ${escapeSlack(m.title)}`, blocks }) };
  },
  verdict(reply) {
    // Incoming webhooks answer the text `ok`; workflow webhooks answer `{"ok":true}`.
    const json = parseJson(reply.body);
    const ok = reply.body.trim() === 'ok' || (isRecord(json) && json.ok === true);
    if (!is2xx(reply.status)) return httpError(reply);
    return ok ? { delivered: true } : { delivered: false, error: `Slack answered ${snippet(reply.body)}` };
  },
  rateLimit: () => "Slack's limit of about one message a second per webhook",
};
