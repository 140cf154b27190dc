import type { Finding } from './finding.js';
import { ReportError } from './report-error.js';
import { attr, children, parseXml, text, type XmlNode } from './xml.js';

const FORMAT = 'JUnit XML (`pytest --junitxml`)';

export type TestStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCase {
  suite: string;
  classname: string;
  name: string;
  /** Seconds. */
  time: number;
  status: TestStatus;
  /** The failure/error/skip message attribute. */
  message?: string;
  /** The traceback (failure or error body). */
  detail?: string;
  file?: string;
  line?: number;
}

export interface TestRun {
  cases: TestCase[];
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  /** Seconds, the sum of the suites' times (or of the cases' when a suite has none). */
  time: number;
}

/**
 * JUnit XML as pytest writes it: `<testsuites>` or a bare `<testsuite>`, nested suites, cases with a
 * `failure`, `error` or `skipped` child (xfail is a skip). Counts come from the cases, not from the
 * suites' attributes (pytest counts subtests and teardown errors there).
 */
export function parseJUnit(xml: string, source = 'JUnit report'): TestRun {
  const doc = parseXml(xml, source, FORMAT, ['testsuite', 'testcase', 'failure', 'error', 'skipped']);
  const root = doc.testsuites ?? doc.testsuite;
  if (root === undefined) throw new ReportError(source, FORMAT, 'no <testsuites> or <testsuite> root element');
  const run: TestRun = { cases: [], tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0, time: 0 };
  const suites = doc.testsuites !== undefined ? children(doc, 'testsuites').flatMap((s) => children(s, 'testsuite')) : children(doc, 'testsuite');
  const visit = (suite: XmlNode): void => {
    const name = attr(suite, 'name') ?? '';
    let caseTime = 0;
    for (const tc of children(suite, 'testcase')) {
      const c = testCase(tc, name);
      caseTime += c.time;
      run.cases.push(c);
      run[c.status === 'passed' ? 'passed' : c.status === 'failed' ? 'failed' : c.status === 'error' ? 'errors' : 'skipped']++;
    }
    const suiteTime = Number(attr(suite, 'time'));
    for (const nested of children(suite, 'testsuite')) visit(nested);
    run.time += Number.isFinite(suiteTime) && children(suite, 'testsuite').length === 0 ? suiteTime : caseTime;
  };
  for (const s of suites) visit(s);
  run.tests = run.cases.length;
  return run;
}

function testCase(tc: XmlNode, suite: string): TestCase {
  const time = Number(attr(tc, 'time') ?? 0);
  const c: TestCase = {
    suite,
    classname: attr(tc, 'classname') ?? '',
    name: attr(tc, 'name') ?? '',
    time: Number.isFinite(time) ? time : 0,
    status: 'passed',
  };
  const error = children(tc, 'error')[0];
  const failure = children(tc, 'failure')[0];
  const skipped = children(tc, 'skipped')[0];
  const outcome = error ?? failure ?? skipped;
  if (outcome) {
    c.status = error ? 'error' : failure ? 'failed' : 'skipped';
    const message = attr(outcome, 'message');
    if (message) c.message = message;
    const detail = text(outcome).trim();
    if (detail) c.detail = detail;
  }
  const file = attr(tc, 'file');
  const line = Number(attr(tc, 'line'));
  if (file) c.file = file;
  else if (c.classname) c.file = fileOfClassname(c.classname);
  // pytest's `line` attribute counts from 0.
  if (file && Number.isInteger(line)) c.line = line + 1;
  if (c.status === 'failed' || c.status === 'error') {
    const where = tracebackLocation(`${c.detail ?? ''}\n${c.message ?? ''}`, c.file);
    if (where) {
      c.file = where.file;
      c.line = where.line;
    }
  }
  return c;
}

/** `tests.test_lib.TestX` -> `tests/test_lib.py` (pytest names classes in CamelCase, modules in lower case). */
function fileOfClassname(classname: string): string {
  const parts = classname.split('.');
  while (parts.length > 1 && /^[A-Z]/.test(parts[parts.length - 1]!)) parts.pop();
  return `${parts.join('/')}.py`;
}

/** The last `path.py:NN: ` frame of the traceback that is in the test's own file (frames in libraries are no place to annotate). */
function tracebackLocation(traceback: string, file: string | undefined): { file: string; line: number } | undefined {
  if (!file) return undefined;
  let found: { file: string; line: number } | undefined;
  for (const m of traceback.matchAll(/^\s*([^\s:][^:\n]*\.py):(\d+):/gm)) {
    const frame = m[1]!.replace(/^\.\//, '');
    if (!frame.endsWith(file) && !file.endsWith(frame)) continue;
    // Keep the repository-relative spelling: the longer of the two unless the frame is absolute.
    const best = frame.startsWith('/') || file.length >= frame.length ? file : frame;
    found = { file: best, line: Number(m[2]) };
  }
  return found;
}

/** A failing or erroring test as a finding, for annotations and SARIF. */
export function testFindings(run: TestRun): Finding[] {
  return run.cases
    .filter((c) => c.status === 'failed' || c.status === 'error')
    .map((c) => ({
      tool: 'pytest',
      kind: 'test',
      rule: c.status === 'error' ? 'test-error' : 'test-failure',
      severity: 'error',
      title: `${c.status === 'error' ? 'Error in' : 'Failed'}: ${testId(c)}`,
      message: (c.message ?? c.detail ?? `${c.status}`).slice(0, 4000),
      file: c.file,
      line: c.line,
    }));
}

export function testId(c: Pick<TestCase, 'classname' | 'name'>): string {
  return c.classname ? `${c.classname}::${c.name}` : c.name;
}

/** Several JUnit files (a matrix, pytest-xdist shards) as one run. */
export function mergeRuns(runs: TestRun[]): TestRun {
  const merged: TestRun = { cases: [], tests: 0, passed: 0, failed: 0, errors: 0, skipped: 0, time: 0 };
  for (const r of runs) {
    for (const c of r.cases) merged.cases.push(c);
    merged.tests += r.tests;
    merged.passed += r.passed;
    merged.failed += r.failed;
    merged.errors += r.errors;
    merged.skipped += r.skipped;
    merged.time += r.time;
  }
  return merged;
}
