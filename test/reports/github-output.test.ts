import { selectAnnotations, workspacePath } from '../../src/github/annotations.js';
import { STEP_SUMMARY_LIMIT, SummaryBuilder, cell } from '../../src/github/summary.js';
import { toAnnotation } from '../../src/reports/annotate.js';
import { parseTrivy } from '../../src/reports/trivy.js';
import { fixture } from './fixtures.js';

describe('annotations within GitHub\'s per-step limits', () => {
  const many = (level: 'error' | 'warning' | 'notice', n: number, rank = 0) =>
    Array.from({ length: n }, (_, i) => ({ level, message: `${level} ${i}`, file: 'a.py', line: i + 1, rank }));

  test('at most 10 of each level, the most severe first, and the rest counted', () => {
    const { selected, omitted } = selectAnnotations([...many('notice', 12), ...many('warning', 3), ...many('error', 25, 2), { level: 'error', message: 'critical one', rank: 0 }]);
    expect(selected.filter((a) => a.level === 'error')).toHaveLength(10);
    expect(selected.filter((a) => a.level === 'warning')).toHaveLength(3);
    expect(selected.filter((a) => a.level === 'notice')).toHaveLength(10);
    expect(selected[0]!.message).toBe('critical one');
    expect(omitted).toEqual({ error: 16, warning: 0, notice: 2 });
  });

  test('duplicates are shown once; the failure line keeps its slot', () => {
    const same = { level: 'error' as const, message: 'same', file: 'go.mod' };
    const { selected, duplicates } = selectAnnotations([same, same, same, ...many('error', 20)], { reserveErrors: 1 });
    expect(duplicates).toBe(2);
    expect(selected).toHaveLength(9);
  });

  test('an advisory reported twice for the same file (two scans merged) is annotated once', () => {
    const findings = parseTrivy(fixture('trivy/trivy-it_gomod.json.golden')).findings;
    const { selected, duplicates } = selectAnnotations([...findings, ...findings].map((f) => toAnnotation(f)));
    expect(findings).toHaveLength(5);
    expect(duplicates).toBe(5);
    expect(selected).toHaveLength(5);
  });

  test('paths become relative to the workspace', () => {
    expect(workspacePath('/ws/app/parking/x.py', '/ws')).toBe('app/parking/x.py');
    expect(workspacePath('parking/x.py', '/ws', 'backend')).toBe('backend/parking/x.py');
    expect(workspacePath('/elsewhere/x.py', '/ws')).toBe('/elsewhere/x.py');
  });
});

describe('step summary size cap', () => {
  test('a table of a million rows stays under the 1 MiB limit and says what it left out', () => {
    const s = new SummaryBuilder();
    s.heading('Huge').table(['A', 'B'], Array.from({ length: 1_000_000 }, (_, i) => [`row ${i}`, 'x'.repeat(50)]), { what: 'findings' });
    s.paragraph('after the table');
    const text = s.toString();
    expect(Buffer.byteLength(text)).toBeLessThan(STEP_SUMMARY_LIMIT);
    expect(text).toMatch(/_\d+ more findings not shown\._/);
    expect(text).toContain('shortened to stay under');
  });

  test('a small budget is never exceeded, whatever is added', () => {
    const s = new SummaryBuilder(10_000);
    for (let i = 0; i < 100; i++) s.heading(`Section ${i}`).table(['x'], Array.from({ length: 100 }, () => ['y'.repeat(200)]), { maxCell: 1000 }).details('d', 'z'.repeat(5000));
    expect(Buffer.byteLength(s.toString())).toBeLessThanOrEqual(10_000);
  });

  test('cells are one line, escaped and shortened', () => {
    expect(cell('a|b\n<script>')).toBe('a\\|b &lt;script&gt;');
    expect(cell('x'.repeat(500), 10)).toHaveLength(10);
  });
});
