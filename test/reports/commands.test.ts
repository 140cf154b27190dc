import { banditCommand, mypyCommand, mypySupportsJson, projectTool, pytestCommand, ruffCommand, splitArgs, trivyCommand } from '../../src/tools/commands.js';
import { lintSummary, pytestSummary, scanSummary } from '../../src/reports/summaries.js';
import { STEP_SUMMARY_LIMIT } from '../../src/github/summary.js';
import type { Finding } from '../../src/reports/finding.js';
import { parseJUnit } from '../../src/reports/junit.js';
import { parseTrivy } from '../../src/reports/trivy.js';
import { syntheticJUnit, syntheticTrivy } from '../../bench/reports.js';

const uv = { kind: 'uv', uv: '/opt/uv/uv' } as const;
const path = { kind: 'path' } as const;

describe('what the tools are run with', () => {
  test('project tools go through `uv run`; scanners through `uv tool run`; or straight from PATH', () => {
    expect(ruffCommand(uv)).toEqual(['/opt/uv/uv', 'run', 'ruff', 'check', '--output-format', 'json', '--exit-zero', '.']);
    expect(ruffCommand(path)).toEqual(['ruff', 'check', '--output-format', 'json', '--exit-zero', '.']);
    expect(banditCommand(uv, ['.'], '/t/b.json').slice(0, 4)).toEqual(['/opt/uv/uv', 'tool', 'run', 'bandit']);
    expect(projectTool(path, 'mypy', ['--version'])).toEqual(['mypy', '--version']);
  });

  test('mypy uses -O json from 1.11, columns and ends before', () => {
    expect(mypySupportsJson('mypy 1.11.2 (compiled: yes)')).toBe(true);
    expect(mypySupportsJson('mypy 2.0.0')).toBe(true);
    expect(mypySupportsJson('mypy 1.0.1 (compiled: yes)')).toBe(false);
    expect(mypyCommand(path, ['parking/'], true)).toEqual(['mypy', '-O', 'json', 'parking/']);
    expect(mypyCommand(path, ['.'], false)).toEqual(['mypy', '--show-column-numbers', '--show-error-end', '--no-pretty', '--no-error-summary', '.']);
  });

  test('pytest writes both reports; a --cov in args replaces the bare one', () => {
    expect(pytestCommand(uv, '/t/j.xml', '/t/c.xml', [])).toEqual(['/opt/uv/uv', 'run', 'pytest', '--junitxml=/t/j.xml', '--cov', '--cov-report=xml:/t/c.xml']);
    expect(pytestCommand(path, '/t/j.xml', '/t/c.xml', ['--cov=parking', '-x'])).toEqual(['pytest', '--junitxml=/t/j.xml', '--cov-report=xml:/t/c.xml', '--cov=parking', '-x']);
  });

  test('Trivy: one JSON run that never decides the exit code, DB from the mirrors', () => {
    const argv = trivyCommand('/opt/trivy', { imageRef: 'app:1', outFile: '/t/t.json', cacheDir: '/c' });
    expect(argv.slice(0, 2)).toEqual(['/opt/trivy', 'image']);
    expect(argv.join(' ')).toContain('--format json --output /t/t.json --exit-code 0');
    expect(argv.join(' ')).toContain('--db-repository public.ecr.aws/aquasecurity/trivy-db,ghcr.io/aquasecurity/trivy-db');
    expect(argv.at(-1)).toBe('app:1');
    expect(trivyCommand('/opt/trivy', { scanPath: '.', outFile: '/t/t.json', cacheDir: '/c' }).slice(0, 2)).toEqual(['/opt/trivy', 'fs']);
  });

  test('args are split like a shell splits words and quotes', () => {
    expect(splitArgs('-k "not slow and not db" -x --tb=short')).toEqual(['-k', 'not slow and not db', '-x', '--tb=short']);
    expect(splitArgs(`-m 'a b' ""`)).toEqual(['-m', 'a b', '']);
    expect(() => splitArgs('-k "open')).toThrow(/unbalanced/);
  });
});

describe('summaries stay under 1 MiB however big the input', () => {
  test('200,000 lint findings', () => {
    const findings: Finding[] = Array.from({ length: 200_000 }, (_, i) => ({ tool: 'ruff', kind: 'lint', rule: `E${i % 900}`, severity: 'error', message: `message ${i} `.repeat(10), file: `pkg/m${i}.py`, line: i + 1 }));
    const text = lintSummary({ findings, sources: [{ tool: 'ruff', from: 'ruff.json' }] }, { failed: true, reasons: ['200000 errors'] }).toString();
    expect(Buffer.byteLength(text)).toBeLessThan(STEP_SUMMARY_LIMIT);
    expect(text).toMatch(/\| ruff \| 200000 \| 0 \| 0 \| ruff.json \|/);
  });

  test('20,000 test cases and a 10 MB Trivy report', () => {
    const run = parseJUnit(syntheticJUnit(20_000));
    expect(run).toMatchObject({ tests: 20_000, failed: 400, skipped: 1000 });
    expect(Buffer.byteLength(pytestSummary(run, undefined, { failed: true, reasons: [] }, undefined).toString())).toBeLessThan(STEP_SUMMARY_LIMIT);
    const trivy = parseTrivy(syntheticTrivy(10 * 2 ** 20));
    const text = scanSummary({ findings: trivy.findings, sources: [{ tool: 'trivy', from: 't.json' }] }, { failed: true, reasons: [] }, ['critical', 'high']).toString();
    expect(Buffer.byteLength(text)).toBeLessThan(STEP_SUMMARY_LIMIT);
    const total = Object.values(trivy.vulnerabilities).reduce((a, b) => a + b, 0);
    expect(text).toContain(`| Trivy vulnerabilities | ${trivy.vulnerabilities.critical} | ${trivy.vulnerabilities.high} | ${trivy.vulnerabilities.medium} | ${trivy.vulnerabilities.low} | ${trivy.vulnerabilities.unknown} | ${total} |`);
  });
});
