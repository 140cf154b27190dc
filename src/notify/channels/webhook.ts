import { createHmac } from 'node:crypto';
import type { Message } from '../message.js';
import { type Channel, httpError, is2xx, JSON_HEADERS } from './channel.js';

/** The generic webhook's body: the message model, with the suite's kebab-case names. */
export function webhookPayload(m: Message, now: Date): Record<string, unknown> {
  return {
    status: m.status,
    title: m.title,
    text: m.text,
    format: m.format,
    repository: m.repository ?? null,
    ref: m.ref ?? null,
    commit: m.commit ?? null,
    actor: m.actor ?? null,
    workflow: m.workflow ?? null,
    environment: m.environment ?? null,
    version: m.version ?? null,
    'run-url': m.runUrl ?? null,
    hosts: m.hosts.map((h) => ({ host: h.host, status: h.status, from: h.from ?? null, to: h.to ?? null, 'duration-ms': h.durationMs ?? null })),
    'sent-at': now.toISOString(),
  };
}

/** `sha256=<hex HMAC-SHA256(secret, body)>`, the scheme GitHub uses for its own webhooks. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export const webhook: Channel<'webhook'> = {
  name: 'webhook',
  label: 'Webhook',
  request(m, target, now) {
    const body = JSON.stringify(webhookPayload(m, now));
    const headers: Record<string, string> = { ...JSON_HEADERS };
    if (target.secret) headers['x-parking-ci-signature-256'] = webhookSignature(target.secret, body);
    return { url: target.url, headers, body };
  },
  verdict: (reply) => (is2xx(reply.status) ? { delivered: true } : httpError(reply)),
};
