import { facts, hostLines, STATUS_LOOK, type Message } from '../message.js';
import { escapeHtml, fitSections, truncate } from '../text.js';
import { type Channel, httpError, is2xx, isRecord, JSON_HEADERS, parseJson, snippet } from './channel.js';

// sendMessage: 1-4096 characters after entity parsing, counted in UTF-16 code units (an emoji
// outside the BMP is two); counting the markup too keeps us safely under.
const TEXT_MAX = 4096;
const utf16 = (s: string): number => s.length;

export function telegramHtml(m: Message): string {
  const look = STATUS_LOOK[m.status];
  const fact = (f: ReturnType<typeof facts>[number]): string =>
    `<b>${f.label}:</b> ${f.url ? `<a href="${escapeHtml(f.url)}">${escapeHtml(f.value)}</a>` : `<code>${escapeHtml(f.value)}</code>`}`;
  return fitSections(m.text, (text) => [
    `<b>${look.emoji} ${escapeHtml(truncate(m.title, 256))}</b>`,
    !!text && escapeHtml(text),
    facts(m).map(fact).join('\n'),
    m.hosts.length > 0 && `<b>Hosts</b>\n${hostLines(m).map(escapeHtml).join('\n')}`,
  ], utf16, TEXT_MAX);
}

/** Bot API `sendMessage` in HTML parse mode; the base URL can point at a self-hosted Bot API server. */
export const telegram: Channel<'telegram'> = {
  name: 'telegram',
  label: 'Telegram',
  request(m, target) {
    const body = { chat_id: target.chatId, text: telegramHtml(m), parse_mode: 'HTML', link_preview_options: { is_disabled: true } };
    return { url: `${target.apiUrl.replace(/\/+$/, '')}/bot${target.token}/sendMessage`, headers: JSON_HEADERS, body: JSON.stringify(body) };
  },
  verdict(reply) {
    const body = parseJson(reply.body);
    if (isRecord(body) && body.ok === true && is2xx(reply.status)) return { delivered: true };
    if (isRecord(body) && body.ok === false) {
      const error = `${String(body.error_code ?? reply.status)}: ${snippet(String(body.description ?? ''))}`;
      // A group that became a supergroup has a new id; only the user can decide to send there.
      const moved = isRecord(body.parameters) ? body.parameters.migrate_to_chat_id : undefined;
      if (typeof moved === 'number' || typeof moved === 'string') return { delivered: false, error: `${error}; the group is now a supergroup: set telegram-chat-id to ${String(moved)}` };
      return { delivered: false, error };
    }
    return is2xx(reply.status) ? { delivered: false, error: `unexpected answer: ${snippet(reply.body)}` } : httpError(reply);
  },
  rateLimit(reply) {
    const body = parseJson(reply.body);
    return `Telegram flood control${isRecord(body) && typeof body.description === 'string' ? `: ${snippet(body.description)}` : ''}`;
  },
};
