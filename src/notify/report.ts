import * as core from '@actions/core';
import { formatDuration } from '../config/duration.js';
import { escapeHtml } from '../github/escape.js';
import type { Delivery } from './deliver.js';
import { STATUS_LOOK, type Message } from './message.js';

export function resultWord(d: Delivery): string {
  if (!d.delivered) return '❌ failed';
  return d.warning ? '⚠️ sent, unconfirmed' : '✅ sent';
}

/** The log line for one channel; `redact` has already been applied to error and warning. */
export function deliveryLine(d: Delivery): string {
  const detail = d.error ?? d.warning;
  return `${d.label}: ${d.delivered ? 'delivered' : 'not delivered'} after ${d.attempts} attempt(s) in ${formatDuration(d.durationMs)}${detail ? ` — ${detail}` : ''}`;
}

/** The step summary: one row per channel (never its URL), then what to do about failures. */
export async function writeSummary(message: Message, deliveries: Delivery[]): Promise<void> {
  const sent = deliveries.filter((d) => d.delivered).length;
  const s = core.summary.addHeading(`Notifications: ${sent} of ${deliveries.length} sent`, 2);
  s.addRaw(`\n${STATUS_LOOK[message.status].emoji} ${escapeHtml(message.title)}\n\n`);
  s.addTable([
    [
      { data: 'Channel', header: true },
      { data: 'Result', header: true },
      { data: 'Attempts', header: true },
      { data: 'Time', header: true },
      { data: 'Details', header: true },
    ],
    ...deliveries.map((d) => [d.label, resultWord(d), String(d.attempts), formatDuration(d.durationMs), escapeHtml(d.error ?? d.warning ?? '')]),
  ]);
  const failed = deliveries.filter((d) => !d.delivered);
  if (failed.length) {
    s.addRaw(
      `\n${failed.length} channel(s) did not receive the message. Check that the webhook or token secret is current and that the bot is still in the group; ` +
        'set `fail-on-error: true` to fail the step when a notification cannot be delivered.\n',
    );
  }
  await s.write();
}
