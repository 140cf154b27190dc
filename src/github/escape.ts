// The one escape module of the step summaries (and of any channel whose rules are the same): text
// from outside never becomes HTML or Markdown structure.

/** Text for HTML content: no tags, no entities of its own. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for one line of Markdown: no line breaks, no HTML. */
export function inline(text: string): string {
  return escapeHtml(text).replace(/\s*\r?\n\s*/g, ' ');
}

/** A Markdown table cell: one line, pipes escaped, at most `max` characters. */
export function cell(value: string | number, max = 300): string {
  let text = inline(String(value));
  if (text.length > max) text = `${text.slice(0, max - 1)}…`;
  return text.replace(/\|/g, '\\|');
}

/** Inline code that survives backticks in the value (and shows `<` as it is, not as a tag). */
export function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const fence = clean.includes('`') ? '``' : '`';
  return `${fence}${clean.includes('`') ? ` ${clean} ` : clean}${fence}`;
}

/**
 * A fenced block of outside text (logs, command output): shown as it is (a code block renders no
 * HTML), and no fence inside can close it early.
 */
export function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}

/** The last `max` characters of a text, marked as cut when they are not all of it. */
export function lastChars(text: string, max: number): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}
