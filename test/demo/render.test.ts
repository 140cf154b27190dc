// The demo prints step summaries in a terminal: tables aligned, tags and Markdown marks gone.
import { renderSummary } from '../../testkit/render.js';

describe('renderSummary', () => {
  test('a pipe table becomes aligned columns without the separator line; escapes are undone', () => {
    const text = renderSummary('| host | result |\n| --- | --- |\n| 10.231.0.11 | **deployed** |\n| h2 | a \\| b |\n');
    expect(text.split('\n')).toEqual(['  host         result', '  -----------  --------', '  10.231.0.11  deployed', '  h2           a | b']);
  });

  test('an HTML table is rendered the same way, tags stripped and entities decoded', () => {
    const text = renderSummary('<table><tr><th>version</th><th>status</th></tr>\n<tr><td><code>v2</code></td><td>a &amp; b</td></tr></table>');
    expect(text.split('\n')).toEqual(['  version  status', '  -------  ------', '  v2       a & b']);
  });

  test('headings are underlined, bullets kept, details/summary tags dropped, code blocks indented', () => {
    const text = renderSummary('## Deployed v2\n\n<details><summary>Logs</summary>\n\n```\nline 1\n```\n\n</details>\n\n- one `x`\n');
    expect(text).toBe('Deployed v2\n===========\n\nLogs\n\n    line 1\n\n  • one x');
  });
});
