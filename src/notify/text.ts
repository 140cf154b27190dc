import { escapeHtml as escapeGenericHtml } from '../github/escape.js';

/** Shown wherever we cut text to fit a channel's limit, so a reader knows something is missing. */
export const TRUNCATED = '… [truncated]';

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
export const chars = (s: string): number => [...s].length;

/** Cuts `text` to at most `max` (as measured) with the marker appended; whole code points only. */
export function truncate(text: string, max: number, measure: (s: string) => number = chars): string {
  if (measure(text) <= max) return text;
  const points = [...text];
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(points.slice(0, mid).join('') + TRUNCATED) <= max) lo = mid;
    else hi = mid - 1;
  }
  return measure(TRUNCATED) > max ? '' : points.slice(0, lo).join('') + TRUNCATED;
}

/**
 * Fits a rendered payload under a limit by cutting the free text (never the markup around it):
 * `render` builds the payload from the (possibly shortened) text, `measure` sizes it. The text is
 * cut before escaping, so an HTML entity or markdown link is never split.
 */
export function fitText<T>(text: string, render: (text: string) => T, size: (payload: T) => number, max: number): T {
  const whole = render(text);
  if (size(whole) <= max) return whole;
  const points = [...text];
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(render(points.slice(0, mid).join('') + TRUNCATED)) <= max) lo = mid;
    else hi = mid - 1;
  }
  return render(lo === 0 ? TRUNCATED : points.slice(0, lo).join('') + TRUNCATED);
}

/** A message of sections one blank line apart (an empty one is left out), its text shortened to fit. */
export function fitSections(text: string, sections: (text: string) => (string | false)[], size: (payload: string) => number, max: number): string {
  return fitText(text, (t) => sections(t).filter(Boolean).join('\n\n'), size, max);
}

/** Telegram HTML, attribute values included: the generic escape plus quotes. */
export function escapeHtml(s: string): string {
  return escapeGenericHtml(s).replace(/"/g, '&quot;');
}

/** Slack mrkdwn only needs these three escaped (https://api.slack.com/reference/surfaces/formatting): the generic HTML escape. */
export const escapeSlack: (s: string) => string = escapeGenericHtml;

/** Characters that would start markdown formatting in a value (a branch called `feat_x*`). */
export function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_[\]<>|~#])/g, '\\$1');
}
