import * as core from '@actions/core';
import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';
import { deliver } from '../notify/deliver.js';
import { readNotifySettings, redact } from '../notify/inputs.js';
import { buildMessage, hostTally } from '../notify/message.js';
import { deliveryLine, writeSummary } from '../notify/report.js';

async function main(): Promise<void> {
  // Masks every URL, token and secret first, and validates everything before anything is sent.
  const settings = readNotifySettings();
  const message = buildMessage(settings.message);
  const clean = (s: string | undefined): string | undefined => (s === undefined ? undefined : redact(s, settings.secrets));
  const channelList = settings.targets.map((t) => t.channel).join(', ');
  core.info(`Sending "${message.title}"${hostTally(message) ? ` (${hostTally(message)})` : ''} to ${channelList}`);

  const deliveries = (
    await Promise.all(settings.targets.map((target) => deliver(target, message, settings.policy, { log: (line) => core.info(redact(line, settings.secrets)) })))
  ).map((d) => ({ ...d, error: clean(d.error), warning: clean(d.warning) }));

  for (const d of deliveries) {
    core.info(deliveryLine(d));
    if (d.warning) core.warning(`${d.label}: ${d.warning}`, { title: `${d.label} notification` });
  }
  const failed = deliveries.filter((d) => !d.delivered);
  core.setOutput('sent', String(deliveries.length - failed.length));
  core.setOutput('failed', String(failed.length));
  await writeSummary(message, deliveries);

  if (!failed.length) return;
  const reasons = failed.map((d) => `${d.label} (${d.error})`).join('; ');
  if (settings.failOnError) throw new UserError(`${failed.length} of ${deliveries.length} notification(s) not delivered: ${reasons}`);
  // fail-on-error: false keeps the step green, but a lost notification is never silent.
  for (const d of failed) core.warning(`${d.label} notification not delivered: ${d.error}`, { title: 'Notification not delivered' });
}

await runAction(main);
