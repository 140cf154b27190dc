import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { escapeMarkdown, fitText, truncate, utf8Bytes } from '../text.js';
import { type Channel, httpError, is2xx, isRecord, JSON_HEADERS, parseJson, snippet } from './channel.js';

// Teams rejects messages over 28 KB.
const BODY_MAX_BYTES = 28 * 1024;
const COLOR: Record<string, string> = { good: 'Good', bad: 'Attention', warn: 'Warning', neutral: 'Default', accent: 'Accent' };

/** Office 365 connector URLs (retired by Microsoft): they may answer 2xx and deliver nothing. */
export function isLegacyConnector(url: string): boolean {
  try {
    const u = new URL(url);
    return (/(^|\.)webhook\.office\.com$/i.test(u.hostname) && u.pathname.includes('/webhookb2/')) || /^outlook\.office(365)?\.com$/i.test(u.hostname);
  } catch {
    return false;
  }
}

// TextBlocks and fact values are read as markdown; a TextRun of a RichTextBlock never is, so plain
// text goes there and is shown exactly as written.
export function adaptiveCard(m: Message, text: string): Record<string, unknown> {
  const look = STATUS_LOOK[m.status];
  const body: unknown[] = [
    { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: truncate(`${look.emoji} ${m.title}`, 200), weight: 'Bolder', size: 'Medium', color: COLOR[look.tone] }] },
  ];
  if (text) body.push(m.format === 'markdown' ? { type: 'TextBlock', text, wrap: true } : { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text }] });
  const factList = facts(m).map((f) => ({ title: f.label, value: f.url ? `[${escapeMarkdown(f.value)}](${f.url})` : escapeMarkdown(f.value) }));
  if (factList.length) body.push({ type: 'FactSet', facts: factList });
  if (m.hosts.length) {
    body.push({ type: 'TextBlock', text: 'Hosts', weight: 'Bolder', wrap: true, spacing: 'Medium' });
    body.push({ type: 'TextBlock', text: hostLines(m).map((l) => `- ${escapeMarkdown(l)}`).join('\n'), wrap: true });
  }
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
    actions: m.runUrl ? [{ type: 'Action.OpenUrl', title: 'View run', url: m.runUrl }] : [],
  };
}

/** An Adaptive Card in the message envelope that Teams Workflows ("When a Teams webhook request is received") expects. */
export const teams: Channel<'teams'> = {
  name: 'teams',
  label: 'Teams',
  request(m, target) {
    const render = (text: string): string =>
      JSON.stringify({
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(m, text) }],
      });
    return { url: target.webhook, headers: JSON_HEADERS, body: fitText(m.text, render, utf8Bytes, BODY_MAX_BYTES) };
  },
  verdict(reply, target) {
    const json = parseJson(reply.body);
    if (!is2xx(reply.status)) {
      const said = isRecord(json) && isRecord(json.error) ? String(json.error.message ?? json.error.code ?? '') : undefined;
      return httpError(reply, said && snippet(said));
    }
    if (isLegacyConnector(target.webhook)) {
      // Connectors answer `1` when they accepted the card; anything else is their error text, still with 2xx.
      if (reply.body.trim() !== '1' && reply.body.trim() !== '') return { delivered: false, error: `the Office 365 connector answered ${snippet(reply.body)}` };
      return {
        delivered: true,
        warning:
          'teams-webhook is an Office 365 connector URL; Microsoft has retired connectors and they may answer 2xx without delivering. Create a Workflows webhook ("Post to a channel when a webhook request is received") and use its URL.',
      };
    }
    if (isRecord(json) && isRecord(json.error)) return { delivered: false, error: snippet(String(json.error.message ?? json.error.code ?? reply.body)) };
    return { delivered: true };
  },
};
