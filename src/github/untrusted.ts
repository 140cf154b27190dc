/**
 * Text from outside (remote command output, notify titles built from commit messages, report
 * contents) made safe to print in the job log: the runner obeys a line that starts with `::` or
 * `##[` (after leading white space) as a workflow command, so such a line gets a zero-width space in
 * front, which the runner does not trim and a reader does not see. Line breaks are those the runner
 * splits on (CR, LF, CRLF).
 */
const COMMAND_START = /^([\s]*)(::|##\[)/;
const ZERO_WIDTH_SPACE = '\u200b';

export function untrusted(text: string): string {
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part) => part.replace(COMMAND_START, `$1${ZERO_WIDTH_SPACE}$2`))
    .join('');
}
