import * as core from '@actions/core';
import { UserError } from '../errors.js';
import { untrusted } from '../github/untrusted.js';
import { deliver } from './deliver.js';
import { readNotifySettings, redact } from './inputs.js';
import { buildMessage, hostTally } from './message.js';
import { deliveryLine, writeSummary } from './report.js';

/**
 * The notify action: every channel in parallel, each within the deadline. Titles (often commit
 * messages) and the channels' answers are outside text: every log line that carries them goes
 * through `untrusted`, so none of it can start a workflow command.
 */
export async function notify(): Promise<void> {
  // Masks every URL, token and secret first, and validates everything before anything is sent.
  const settings = readNotifySettings();
  const message = buildMessage(settings.message);
  const clean = (s: string | undefined): string | undefined => (s === undefined ? undefined : redact(s, settings.secrets));
  const log = (line: string): void => core.info(untrusted(redact(line, settings.secrets)));
  const channelList = settings.targets.map((t) => t.channel).join(', ');
  const tally = hostTally(message);
  log(`Sending "${message.title}"${tally ? ` (${tally})` : ''} to ${channelList}`);

  const deliveries = (await Promise.all(settings.targets.map((target) => deliver(target, message, settings.policy, { log })))).map((d) => ({
    ...d,
    error: clean(d.error),
    warning: clean(d.warning),
  }));

  for (const d of deliveries) {
    log(deliveryLine(d));
    if (d.warning) core.warning(untrusted(`${d.label}: ${d.warning}`), { title: `${d.label} notification` });
  }
  const failed = deliveries.filter((d) => !d.delivered);
  core.setOutput('sent', String(deliveries.length - failed.length));
  core.setOutput('failed', String(failed.length));
  // A secret pasted into the title is still a secret: the summary is not masked by the runner.
  await writeSummary({ ...message, title: redact(message.title, settings.secrets) }, deliveries);

  if (!failed.length) return;
  const reasons = failed.map((d) => `${d.label} (${d.error})`).join('; ');
  if (settings.failOnError) throw new UserError(untrusted(`${failed.length} of ${deliveries.length} notification(s) not delivered: ${reasons}`));
  // fail-on-error: false keeps the step green, but a lost notification is never silent.
  for (const d of failed) core.warning(untrusted(`${d.label} notification not delivered: ${d.error}`), { title: 'Notification not delivered' });
}
