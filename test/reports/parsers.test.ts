import { ReportError } from '../../src/reports/report-error.js';
import { parseRuff } from '../../src/reports/ruff.js';
import { parseMypy } from '../../src/reports/mypy.js';
import { parseJUnit } from '../../src/reports/junit.js';
import { formatPercent, lineRanges, parseCobertura } from '../../src/reports/cobertura.js';
import { parseTrivy } from '../../src/reports/trivy.js';
import { parseBandit } from '../../src/reports/bandit.js';
import { parsePipAudit } from '../../src/reports/pip-audit.js';
import { fixture, fixturesOf, mypyOutSections, snapshotOutput } from './fixtures.js';

describe('ruff JSON', () => {
  test.each(fixturesOf('ruff'))('%s: one finding per diagnostic, with rule and position', (file) => {
    const out = snapshotOutput(fixture(file));
    const expected: Array<{ code: string | null; filename: string; location: { row: number; column: number } }> = out.trim().startsWith('[')
      ? JSON.parse(out)
      : out.trim().split('\n').map((l) => JSON.parse(l));
    const findings = parseRuff(out, file);
    expect(findings).toHaveLength(expected.length);
    expect(findings.map((f) => f.rule)).toEqual(expected.map((d) => d.code ?? 'syntax-error'));
    expect(findings.map((f) => [f.file, f.line, f.column])).toEqual(expected.map((d) => [d.filename, d.location.row, d.location.column]));
    expect(findings.every((f) => f.tool === 'ruff' && f.severity === 'error')).toBe(true);
  });

  test('the documentation url and end position are kept; syntax errors have no url', () => {
    const [f401, , syntax] = parseRuff(snapshotOutput(fixture('ruff/ruff_cli__lint__output_format_json.snap')));
    expect(f401).toMatchObject({ rule: 'F401', title: 'F401 unused-import', endLine: 1, endColumn: 10, url: 'https://docs.astral.sh/ruff/rules/unused-import' });
    expect(syntax!.rule).toBe('invalid-syntax');
    expect(syntax!.url).toBeUndefined();
  });

  test('older ruff (no severity, name or url; code null for syntax errors) and notebook cells', () => {
    const old = JSON.stringify([
      { code: null, message: 'SyntaxError: Unexpected token', filename: 'a.py', location: { row: 3, column: 1 }, end_location: { row: 3, column: 2 }, fix: null, noqa_row: 3 },
      { code: 'E501', message: 'Line too long', filename: 'nb.ipynb', cell: 2, location: { row: 4, column: 89 }, end_location: { row: 4, column: 120 } },
    ]);
    const [syntax, cell] = parseRuff(old, 'old.json');
    expect(syntax).toMatchObject({ rule: 'syntax-error', severity: 'error', line: 3, column: 1 });
    expect(cell).toMatchObject({ rule: 'E501', file: 'nb.ipynb', message: 'Line too long (cell 2, line 4, column 89)' });
    expect(cell!.line).toBeUndefined();
  });

  test('an empty report has no findings; a truncated one names the file', () => {
    expect(parseRuff('[]', 'r.json')).toEqual([]);
    expect(parseRuff('', 'r.json')).toEqual([]);
    const text = snapshotOutput(fixture('ruff/ruff_cli__lint__output_format_json.snap'));
    expect(() => parseRuff(text.slice(0, text.length / 2), 'reports/ruff.json')).toThrow(/^reports\/ruff\.json: not a valid ruff JSON .*truncated/);
    expect(() => parseRuff('src/a.py:1:1: F401 unused', 'ruff.txt')).toThrow(ReportError);
  });
});

describe('mypy', () => {
  const textFiles = fixturesOf('mypy', /\.txt$/);
  const testFiles = fixturesOf('mypy', /\.test$/);

  test.each(textFiles)('%s: every error line is one error finding', (file) => {
    const text = fixture(file);
    const findings = parseMypy(text, file);
    const errorLines = text.split('\n').filter((l) => / error: /.test(l)).length;
    expect(findings.filter((f) => f.severity === 'error')).toHaveLength(errorLines);
    // The note under the import error explains it: appended, not counted.
    expect(findings.filter((f) => f.severity === 'note')).toHaveLength(0);
    expect(findings.find((f) => f.rule === 'import')!.message).toContain('See https://mypy.readthedocs.io/en/stable/running_mypy.html#missing-imports');
  });

  test('columns and end positions are read when mypy prints them', () => {
    const [plain] = parseMypy(fixture('mypy/sonar-python_mypy_output.txt'));
    const [withColumn] = parseMypy(fixture('mypy/sonar-python_mypy_output_show_column_numbers.txt'));
    const [withEnd] = parseMypy(fixture('mypy/sonar-python_mypy_output_show_error_end.txt'));
    expect(plain).toMatchObject({ file: 'mypy/type_hints_noncompliant.py', line: 11, column: undefined, rule: 'arg-type' });
    expect(withColumn).toMatchObject({ line: 11, column: 11, endLine: undefined });
    expect(withEnd).toMatchObject({ line: 11, column: 11, endLine: 11, endColumn: 14 });
    const unused = parseMypy(fixture('mypy/sonar-python_mypy_output_show_error_end.txt')).at(-1)!;
    expect(unused).toMatchObject({ line: 24, column: undefined, rule: 'misc', message: 'Unused "type: ignore" comment' });
  });

  test.each(testFiles)('%s: every [out] section parses; error counts match the error lines', (file) => {
    const sections = mypyOutSections(fixture(file)).filter((s) => s.trim() !== '');
    expect(sections.length).toBeGreaterThan(0);
    let checked = 0;
    for (const section of sections) {
      const lines = section.split('\n');
      const diagnostics = lines.filter((l) => /^\{/.test(l) || /^[^\s:][^:]*:(\d+:)*\s(error|warning|note): /.test(l));
      if (diagnostics.length === 0) continue; // usage text and messages of mypy itself
      const findings = parseMypy(diagnostics.join('\n'), file);
      const errors = diagnostics.filter((l) => (l.startsWith('{') ? JSON.parse(l).severity === 'error' : / error: /.test(l))).length;
      expect(findings.filter((f) => f.severity === 'error')).toHaveLength(errors);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('-O json: columns count from 1, hints join the message, notes stay notes', () => {
    const section = mypyOutSections(fixture('mypy/mypy-repo_outputjson.test')).find((s) => s.includes('call-overload'))!;
    const findings = parseMypy(section, 'mypy.json');
    expect(findings.map((f) => [f.severity, f.rule, f.line, f.column])).toEqual([
      ['note', 'misc', 12, 13],
      ['error', 'call-overload', 14, 1],
      ['error', 'call-arg', 17, 1],
    ]);
    expect(findings[1]!.message).toContain('Possible overload variants:');
  });

  test('something that is not mypy output is an error naming the file', () => {
    expect(() => parseMypy('<?xml version="1.0"?><testsuites/>', 'lint/mypy.txt')).toThrow(/^lint\/mypy\.txt: not a valid mypy/);
    expect(() => parseMypy('{"file": "a.py", "line": 1', 'mypy.json')).toThrow(/^mypy\.json: not a valid mypy/);
    expect(parseMypy('Success: no issues found in 3 source files\n', 'm.txt')).toEqual([]);
  });
});

/** Counts from the XML text itself, independently of the parser. */
function junitCounts(xml: string) {
  const cases = [...xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => m[1] ?? '');
  return {
    tests: cases.length,
    failed: cases.filter((c) => /<failure\b/.test(c) && !/<error\b/.test(c)).length,
    errors: cases.filter((c) => /<error\b/.test(c)).length,
    skipped: cases.filter((c) => /<skipped\b/.test(c) && !/<(failure|error)\b/.test(c)).length,
  };
}

describe('JUnit XML', () => {
  test.each(fixturesOf('junit', /\.xml$/))('%s: counts equal the test cases in the file', (file) => {
    const xml = fixture(file);
    const run = parseJUnit(xml, file);
    const expected = junitCounts(xml);
    expect({ tests: run.tests, failed: run.failed, errors: run.errors, skipped: run.skipped }).toEqual(expected);
    expect(run.passed).toBe(expected.tests - expected.failed - expected.errors - expected.skipped);
  });

  test('failures point at the line of the test file that failed; xfail is a skip', () => {
    const run = parseJUnit(fixture('junit/dorny_python-xunit-pytest.xml'));
    expect(run.cases.find((c) => c.name === 'test_always_fail')).toMatchObject({ status: 'failed', file: 'tests/test_lib.py', line: 25, message: 'assert False' });
    expect(run.cases.find((c) => c.name === 'test_expected_failure')).toMatchObject({ status: 'skipped' });
    const horovod = parseJUnit(fixture('junit/enricomi_pytest_junit.fail.xml'));
    // The deepest frame still in the test's own file: where the assertion failed.
    expect(horovod.cases.find((c) => c.status === 'failed')).toMatchObject({ file: 'test/test_spark.py', line: 852 });
    expect(horovod.time).toBeCloseTo(2.481);
  });

  test('a self-closing <failure/> is a failure with its message', () => {
    const run = parseJUnit(fixture('junit/junitparser_pytest_error.xml'));
    expect(run.cases[0]).toMatchObject({ status: 'failed', message: "NameError: name 'file' is not defined" });
    expect(run.cases[0]!.detail).toBeUndefined();
  });

  test('errors, a bare <testsuite> root and truncated files', () => {
    const run = parseJUnit('<testsuite name="s" time="1.5"><testcase classname="tests.test_db.TestMigrations" name="test_x" time="0.5"><error message="fixture failed">tests/test_db.py:12: OperationalError</error></testcase></testsuite>', 'j.xml');
    expect(run).toMatchObject({ tests: 1, errors: 1, failed: 0, time: 1.5 });
    expect(run.cases[0]).toMatchObject({ file: 'tests/test_db.py', line: 12, status: 'error' });
    const xml = fixture('junit/misha_pytest_1.xml');
    expect(() => parseJUnit(xml.slice(0, xml.length / 2), 'reports/junit.xml')).toThrow(/^reports\/junit\.xml: not a valid JUnit XML .*line \d+/);
    expect(() => parseJUnit('<coverage/>', 'cov.xml')).toThrow(/no <testsuites> or <testsuite> root/);
    expect(() => parseJUnit('', 'empty.xml')).toThrow(/the file is empty/);
  });
});

describe('Cobertura XML', () => {
  test.each(fixturesOf('coverage'))('%s: totals and per-file lines equal the <line> elements', (file) => {
    const xml = fixture(file);
    const coverage = parseCobertura(xml, file);
    const lines = [...xml.matchAll(/<line\b[^>]*\bhits="(\d+)"/g)].map((m) => Number(m[1]));
    const files = new Set([...xml.matchAll(/<class\b[^>]*\bfilename="([^"]+)"/g)].map((m) => m[1]));
    expect(coverage.files.map((f) => f.file).sort()).toEqual([...files].sort());
    expect(coverage.files.reduce((n, f) => n + f.valid, 0)).toBe(lines.length);
    expect(coverage.files.reduce((n, f) => n + f.covered, 0)).toBe(lines.filter((h) => h > 0).length);
    const lineRate = Number(/<coverage\b[^>]*\bline-rate="([\d.]+)"/.exec(xml)![1]);
    expect(coverage.percent / 100).toBeCloseTo(lineRate, 3);
  });

  test('the output is a percent with two decimals; missing lines read as ranges', () => {
    const coverage = parseCobertura(fixture('coverage/misha_coverage_1.xml'));
    expect(coverage).toMatchObject({ covered: 489, valid: 1530 });
    expect(formatPercent(coverage.percent)).toBe('31.96');
    expect(formatPercent(99.999)).toBe('99.99');
    expect(formatPercent(100)).toBe('100.00');
    expect(lineRanges([8, 11, 12, 13, 1])).toBe('1, 8, 11-13');
    expect(parseCobertura(fixture('coverage/misha_coverage_3.xml')).branchPercent).toBe(50);
  });

  test('a truncated or foreign file is an error naming it', () => {
    const xml = fixture('coverage/misha_coverage_1.xml');
    expect(() => parseCobertura(xml.slice(0, 5000), 'coverage.xml')).toThrow(/^coverage\.xml: not a valid Cobertura XML/);
    expect(() => parseCobertura(fixture('junit/misha_pytest_1.xml'), 'junit.xml')).toThrow(/no <coverage> root element/);
  });
});

describe('Trivy JSON', () => {
  test.each(fixturesOf('trivy', /\.json(\.golden)?$/))('%s: vulnerability counts are one per Results[].Vulnerabilities[] entry', (file) => {
    const text = fixture(file);
    const doc = JSON.parse(text) as { Results?: Array<{ Vulnerabilities?: Array<{ Severity: string }>; Misconfigurations?: Array<{ Status?: string }>; Secrets?: unknown[] }> };
    const results = doc.Results ?? [];
    const vulns = results.flatMap((r) => r.Vulnerabilities ?? []);
    const expected = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
    for (const v of vulns) expected[v.Severity.toLowerCase() as keyof typeof expected]++;
    const report = parseTrivy(text, file);
    expect(report.vulnerabilities).toEqual(expected);
    expect(report.findings.filter((f) => f.kind === 'vulnerability')).toHaveLength(vulns.length);
    expect(report.findings.filter((f) => f.kind === 'misconfiguration')).toHaveLength(results.flatMap((r) => r.Misconfigurations ?? []).filter((m) => (m.Status ?? 'FAIL') === 'FAIL').length);
    expect(report.findings.filter((f) => f.kind === 'secret')).toHaveLength(results.flatMap((r) => r.Secrets ?? []).length);
    expect(report.targets).toHaveLength(results.length);
  });

  test('repository targets are files; an image has none', () => {
    const gomod = parseTrivy(fixture('trivy/trivy-it_gomod.json.golden'));
    expect(new Set(gomod.findings.map((f) => f.file))).toEqual(new Set(['go.mod', 'submod/go.mod', 'submod2/go.mod']));
    const alpine = parseTrivy(fixture('trivy/trivy-it_alpine-310.json.golden'));
    expect(alpine.findings.every((f) => f.file === undefined && f.target?.includes('alpine 3.10.2'))).toBe(true);
    expect(alpine.findings[0]).toMatchObject({ rule: 'CVE-2019-1549', package: { name: 'libcrypto1.1', installed: '1.1.1c-r0', fixed: '1.1.1d-r0' } });
  });

  test('misconfigurations carry their lines; secrets only their masked match, never the code around them', () => {
    const report = parseTrivy(fixture('trivy/trivy-action_config-scan_report.json'));
    expect(report.findings[0]).toMatchObject({ kind: 'misconfiguration', file: 'main.tf', line: 8, endLine: 10 });
    const secrets = parseTrivy(fixture('trivy/trivy-action_secret-scan_report.json'));
    expect(secrets.findings).toHaveLength(1);
    expect(secrets.findings[0]).toMatchObject({ kind: 'secret', rule: 'github-pat', severity: 'critical', file: 'env', line: 5 });
    const text = JSON.stringify(secrets.findings);
    expect(text).toContain('export GITHUB_PAT=****');
    expect(text).not.toContain('AWS_ACCESS_KEY_ID=1234567');
  });

  test('a report without Results is a clean scan; a truncated or foreign one is an error', () => {
    expect(parseTrivy('{"SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image"}').findings).toEqual([]);
    const text = fixture('trivy/trivy-it_alpine-310.json.golden');
    expect(() => parseTrivy(text.slice(0, 9000), 'trivy.json')).toThrow(/^trivy\.json: not a valid Trivy JSON .*truncated/);
    expect(() => parseTrivy(fixture('bandit/defectdojo_bandit_one_vuln.json'), 'b.json')).toThrow(/expected an object with SchemaVersion/);
    expect(() => parseTrivy('{"SchemaVersion": 2, "Results": {}}', 't.json')).toThrow(/"Results" is not an array/);
  });
});

describe('bandit JSON', () => {
  test.each(fixturesOf('bandit'))('%s: one finding per result, with its severity', (file) => {
    const text = fixture(file);
    const doc = JSON.parse(text) as { results: Array<{ issue_severity: string }> };
    const report = parseBandit(text, file);
    expect(report.findings).toHaveLength(doc.results.length);
    for (const s of ['HIGH', 'MEDIUM', 'LOW']) {
      expect(report.findings.filter((f) => f.severity === s.toLowerCase())).toHaveLength(doc.results.filter((r) => r.issue_severity === s).length);
    }
  });

  test('the code excerpt is never copied (it can hold the secret)', () => {
    const report = parseBandit(fixture('bandit/sonar-python_bandit-report.json'));
    expect(JSON.stringify(report)).not.toContain("def foo(secret='secret')");
    expect(report.findings[0]).toMatchObject({ rule: 'B413', severity: 'high', file: 'bandit/file1.py', line: 2 });
    expect(() => parseBandit('{"errors": []', 'bandit.json')).toThrow(/^bandit\.json: not a valid bandit/);
  });
});

describe('pip-audit JSON', () => {
  test.each(fixturesOf('pip-audit'))('%s: one finding per vulnerability of every dependency (both shapes)', (file) => {
    const text = fixture(file);
    const doc = JSON.parse(text);
    const deps: Array<{ vulns?: unknown[]; skip_reason?: string }> = Array.isArray(doc) ? doc : doc.dependencies;
    const report = parsePipAudit(text, file);
    expect(report.findings).toHaveLength(deps.reduce((n, d) => n + (d.vulns?.length ?? 0), 0));
    expect(report.skipped).toHaveLength(deps.filter((d) => d.skip_reason).length);
    expect(report.dependencies).toBe(deps.length);
  });

  test('advisories link to GHSA when aliased; the severity is the one given', () => {
    const report = parsePipAudit(fixture('pip-audit/pip-audit-readme_json-example.json'), 'p.json', 'medium');
    expect(report.findings[0]).toMatchObject({ package: { name: 'flask', installed: '0.5' }, severity: 'medium' });
    expect(report.findings.some((f) => f.url?.startsWith('https://github.com/advisories/GHSA-'))).toBe(true);
    expect(() => parsePipAudit('{"fixes": []}', 'audit.json')).toThrow(/^audit\.json: not a valid pip-audit/);
  });
});
