// Hostile inputs for lint, pytest and scan: report paths, links, devices, huge and deep files, XML
// entities, other tools' formats, workflow-command text in findings, absurd numbers, unicode.
// `$OUTSIDE` is a folder next to the workspace holding `canary.txt` and `dir/` (nothing may change there).

export type FileSpec =
  | { text: string }
  | { base64: string }
  | { utf16le: string }
  | { fixture: string }
  | { symlink: string }
  | { fifo: true }
  | { socket: true }
  | { dir: true }
  | { sparse: number };

export interface ReportCase {
  name: string;
  action: 'lint' | 'pytest' | 'scan';
  inputs: Record<string, string>;
  files?: Record<string, FileSpec>;
  /** Exit code 1 with a failure line matching `error`, or exit code 0. */
  error?: RegExp;
  outputs?: Record<string, string>;
  /** Files that must exist in the workspace afterwards. */
  writes?: string[];
}

const FORGED = [
  '::error file=app.py,line=1::FORGED annotation',
  '::stop-commands::FORGEDTOKEN',
  '::add-mask::FORGED',
  '##[error]FORGED',
  '  ::warning::FORGED indented',
  '::set-output name=x::FORGED',
].join('\n');

const JUNIT_OK = '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="2"><testcase classname="tests.test_a" name="test_one" time="0.1"/><testcase classname="tests.test_a" name="test_two" time="0.2"/></testsuite></testsuites>';
const COBERTURA_OK = '<?xml version="1.0" ?><coverage version="7.6.1" line-rate="0.5" lines-valid="4" lines-covered="2"><sources><source>/src</source></sources><packages><package name="app"><classes><class name="a.py" filename="app/a.py" line-rate="0.5"><lines><line number="1" hits="1"/><line number="2" hits="0"/><line number="3" hits="1"/><line number="4" hits="0"/></lines></class></classes></package></packages></coverage>';
const RUFF_ONE = JSON.stringify([{ code: 'F401', name: 'unused-import', message: '`os` imported but unused', filename: 'app/a.py', location: { row: 1, column: 8 }, end_location: { row: 1, column: 10 }, severity: 'error' }]);
const TRIVY = (vulns: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ SchemaVersion: 2, ArtifactName: 'registry.example.com/acme/web:1', ArtifactType: 'container_image', Results: [{ Target: 'debian 12', Class: 'os-pkgs', Vulnerabilities: vulns, ...extra }] });
const VULN = (id: string, severity: string, more: Record<string, unknown> = {}) => ({ VulnerabilityID: id, PkgName: 'openssl', InstalledVersion: '3.0.1', FixedVersion: '3.0.2', Severity: severity, Title: `${id} title`, ...more });
const BANDIT = JSON.stringify({ generated_at: '2026-01-01T00:00:00Z', metrics: {}, errors: [], results: [{ filename: 'app/ops.py', test_id: 'B602', test_name: 'subprocess_popen_with_shell_equals_true', issue_severity: 'HIGH', issue_confidence: 'HIGH', issue_text: 'shell=True', line_number: 7, line_range: [7], col_offset: 4 }] });
const PIP_AUDIT = JSON.stringify({ dependencies: [{ name: 'django', version: '4.2.0', vulns: [{ id: 'GHSA-xxxx-yyyy-zzzz', fix_versions: ['4.2.1'], aliases: ['CVE-2026-1'], description: 'bad' }] }], fixes: [] });
const SARIF = JSON.stringify({ version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs: [{ tool: { driver: { name: 'Ruff' } }, results: [] }] }, null, 2);
const XXE = (root: string) => `<?xml version="1.0"?>\n<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n`;
const LAUGHS = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n')}\n]>\n`;
const deepXml = (n: number) => `<testsuites>${'<testsuite name="s">'.repeat(n)}${'</testsuite>'.repeat(n)}</testsuites>`;
const GZIP = 'H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==';

export const cases: ReportCase[] = [
  // ------------------------------------------------------------ report paths
  { name: 'report outside the workspace by absolute path', action: 'lint', inputs: { 'ruff-report': '/etc/passwd' }, error: /^input "ruff-report": \/etc\/passwd is outside the workspace .*write or copy the report there$/ },
  { name: 'report outside the workspace by ../', action: 'lint', inputs: { 'ruff-report': '../outside/canary.txt' }, error: /^input "ruff-report": \.\.\/outside\/canary\.txt is outside the workspace/ },
  { name: 'the runner environment (/proc/self/environ) as a report', action: 'lint', inputs: { 'mypy-report': '/proc/self/environ' }, error: /^input "mypy-report": \/proc\/self\/environ is outside the workspace/ },
  { name: 'a link in the workspace to /etc/passwd', action: 'lint', inputs: { 'ruff-report': 'ruff.json' }, files: { 'ruff.json': { symlink: '/etc/passwd' } }, error: /^input "ruff-report": ruff\.json is a symbolic link leading outside the workspace/ },
  { name: 'a link in the workspace to a file beside it', action: 'lint', inputs: { 'ruff-report': 'ruff.json' }, files: { 'ruff.json': { symlink: '$OUTSIDE/canary.txt' } }, error: /^input "ruff-report": ruff\.json is a symbolic link leading outside the workspace/ },
  { name: 'a link to a report inside the workspace is followed', action: 'lint', inputs: { 'ruff-report': 'latest.json' }, files: { 'reports/ruff.json': { text: RUFF_ONE }, 'latest.json': { symlink: 'reports/ruff.json' } }, error: /^lint failed: 1 error \(ruff 1\)/, outputs: { ruff: '1', mypy: '' } },
  { name: 'a linked folder leading outside', action: 'pytest', inputs: { 'junit-report': 'linked/junit.xml' }, files: { linked: { symlink: '$OUTSIDE/dir' } }, error: /^input "junit-report": linked\/junit\.xml is a symbolic link leading outside the workspace/ },
  { name: 'a broken link', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { symlink: 'nowhere.xml' } }, error: /^input "junit-report": junit\.xml is a symbolic link to nothing/ },
  { name: 'junit-report: /dev/zero does not hang', action: 'pytest', inputs: { 'junit-report': '/dev/zero' }, error: /^input "junit-report": \/dev\/zero is outside the workspace/ },
  { name: 'a link to /dev/zero does not hang', action: 'pytest', inputs: { 'junit-report': 'zero.xml' }, files: { 'zero.xml': { symlink: '/dev/zero' } }, error: /^input "junit-report": zero\.xml is a symbolic link leading outside the workspace/ },
  { name: 'a FIFO does not hang', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { fifo: true } }, error: /^input "junit-report": junit\.xml is a named pipe \(FIFO\), not a regular file/ },
  { name: 'a socket', action: 'lint', inputs: { 'mypy-report': 'mypy.sock' }, files: { 'mypy.sock': { socket: true } }, error: /^input "mypy-report": mypy\.sock is a socket, not a regular file/ },
  { name: 'a folder given as a report', action: 'pytest', inputs: { 'coverage-report': 'reports' }, files: { reports: { dir: true } }, error: /^input "coverage-report": reports is a folder, not a report file; name the file inside it, or a glob such as reports\/\*$/ },
  { name: 'a folder with a trailing slash', action: 'scan', inputs: { 'trivy-report': 'reports/' }, files: { reports: { dir: true } }, error: /^input "trivy-report": reports\/ is a folder/ },
  { name: 'the workspace itself', action: 'scan', inputs: { 'trivy-report': '.' }, error: /^input "trivy-report": \. is a folder/ },
  { name: 'a 200 MiB report is refused before it is read', action: 'scan', inputs: { 'bandit-report': 'bandit.json' }, files: { 'bandit.json': { sparse: 200 * 2 ** 20 } }, error: /^input "bandit-report": bandit\.json is 200 MiB; reports over 128 MiB are not read/ },
  { name: 'a missing report', action: 'scan', inputs: { 'pip-audit-report': 'nope.json' }, error: /^input "pip-audit-report": nope\.json does not exist \(paths are relative to the workspace, .*\); check the path, or that the step writing the report ran$/ },
  { name: 'a name with spaces and unicode', action: 'lint', inputs: { 'ruff-report': 'rapports/résumé 报告.json' }, files: { 'rapports/résumé 报告.json': { text: '[]' } }, outputs: { errors: '0', ruff: '0' } },

  // ------------------------------------------------------------ globs
  { name: 'a glob reads every match', action: 'lint', inputs: { 'ruff-report': 'reports/*.json' }, files: { 'reports/a.json': { text: RUFF_ONE }, 'reports/b.json': { text: RUFF_ONE }, 'reports/c.txt': { text: 'not json' } }, error: /^lint failed: 2 errors \(ruff 2\)/, outputs: { ruff: '2' } },
  { name: 'a glob with an exclusion', action: 'lint', inputs: { 'ruff-report': 'reports/*.json\n!reports/b.json' }, files: { 'reports/a.json': { text: RUFF_ONE }, 'reports/b.json': { text: RUFF_ONE } }, error: /^lint failed: 1 error \(ruff 1\)/, outputs: { ruff: '1' } },
  { name: 'a glob matching nothing', action: 'pytest', inputs: { 'junit-report': 'reports/junit-*.xml' }, error: /^input "junit-report": no file in the workspace matches reports\/junit-\*\.xml$/ },
  { name: 'a glob reaching outside with ../', action: 'lint', inputs: { 'ruff-report': '../outside/*.txt' }, error: /^input "ruff-report": the pattern \.\.\/outside\/\*\.txt looks outside the workspace/ },
  { name: 'a glob over the whole filesystem', action: 'scan', inputs: { 'trivy-report': '/**/*.json' }, error: /^input "trivy-report": the pattern \/\*\*\/\*\.json looks outside the workspace/ },
  { name: 'a glob does not walk into a linked folder leading outside', action: 'pytest', inputs: { 'junit-report': '**/junit*.xml' }, files: { 'reports/junit.xml': { text: JUNIT_OK }, linked: { symlink: '$OUTSIDE/dir' } }, outputs: { tests: '2', passed: '2', failed: '0' } },
  { name: 'a glob matching a link leading outside', action: 'lint', inputs: { 'ruff-report': 'reports/*.json' }, files: { 'reports/a.json': { text: '[]' }, 'reports/b.json': { symlink: '$OUTSIDE/canary.txt' } }, error: /^input "ruff-report": reports\/b\.json is a symbolic link leading outside the workspace/ },
  { name: 'several JUnit files add up', action: 'pytest', inputs: { 'junit-report': 'shard-*.xml' }, files: { 'shard-1.xml': { text: JUNIT_OK }, 'shard-2.xml': { text: JUNIT_OK } }, outputs: { tests: '4', passed: '4', failed: '0', coverage: '' } },
  { name: 'several coverage files cannot be added up', action: 'pytest', inputs: { 'coverage-report': 'cov-*.xml' }, files: { 'cov-1.xml': { text: COBERTURA_OK }, 'cov-2.xml': { text: COBERTURA_OK } }, error: /^input "coverage-report": 2 files match \(cov-1\.xml, cov-2\.xml\); coverage reports cannot be added up: combine them first with `coverage combine`/ },

  // ------------------------------------------------------------ sarif-file
  { name: 'sarif-file escaping with ../', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': '../outside/evil.sarif', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) } }, error: /^input "sarif-file": \.\.\/outside\/evil\.sarif is not a file path inside the workspace/, outputs: { 'sarif-file': '', critical: '0' } },
  { name: 'sarif-file outside by absolute path', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': '$OUTSIDE/evil.sarif', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) } }, error: /^input "sarif-file": .*evil\.sarif is not a file path inside the workspace/ },
  { name: 'sarif-file is a link to a file outside (the reported overwrite)', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': 'scan.sarif', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) }, 'scan.sarif': { symlink: '$OUTSIDE/canary.txt' } }, error: /^input "sarif-file": scan\.sarif is a symbolic link; the file is not written through links/ },
  { name: 'sarif-file inside a linked folder leading outside', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': 'linked/new/scan.sarif', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) }, linked: { symlink: '$OUTSIDE/dir' } }, error: /^input "sarif-file": linked\/new\/scan\.sarif would be written through a symbolic link leading outside the workspace/ },
  { name: 'sarif-file is a link inside the workspace', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': 'scan.sarif', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) }, 'real.sarif': { text: 'old' }, 'scan.sarif': { symlink: 'real.sarif' } }, error: /^input "sarif-file": scan\.sarif is a symbolic link/ },
  { name: 'sarif-file in new folders is created', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': 'out/deep/scan.sarif' }, files: { 'trivy.json': { text: TRIVY([]) } }, outputs: { 'sarif-file': 'out/deep/scan.sarif', critical: '0' }, writes: ['out/deep/scan.sarif'] },
  { name: 'sarif-file is a folder', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': 'out', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) }, out: { dir: true } }, error: /^input "sarif-file": out is a folder; give the path of a file$/ },
  { name: 'sarif-file under a file', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': 'trivy.json/scan.sarif', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) } }, error: /^input "sarif-file": trivy\.json is a file, so trivy\.json\/scan\.sarif cannot be created inside it$/ },
  { name: 'sarif-file /dev/null', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': '/dev/null', 'fail-on': '' }, files: { 'trivy.json': { text: TRIVY([]) } }, error: /^input "sarif-file": \/dev\/null is not a file path inside the workspace/ },
  { name: 'a bad sarif-file fails before any tool runs', action: 'scan', inputs: { run: 'bandit', 'sarif-file': '../x.sarif' }, error: /^input "sarif-file": \.\.\/x\.sarif is not a file path inside the workspace/, outputs: {} },
  { name: 'sarif-file failing keeps the counts and the gate', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'sarif-file': '../x.sarif' }, files: { 'trivy.json': { text: TRIVY([VULN('CVE-1', 'CRITICAL')]) } }, error: /^scan failed: 1 CRITICAL finding \(trivy\) at a severity in fail-on; input "sarif-file": \.\.\/x\.sarif is not a file path inside the workspace/, outputs: { critical: '1', 'sarif-file': '' } },

  // ------------------------------------------------------------ XML
  { name: 'JUnit with an external entity (XXE)', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: `${XXE('testsuites')}<testsuites><testsuite name="&xxe;"><testcase name="a"/></testsuite></testsuites>` } }, error: /^input "junit-report": junit\.xml: not a valid JUnit XML .* report: it declares entities in a DOCTYPE \(line 2\).*Write the report with `pytest --junitxml=junit\.xml`$/ },
  { name: 'JUnit billion laughs', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: `${LAUGHS}<testsuites><testsuite name="&lol9;"/></testsuites>` } }, error: /^input "junit-report": junit\.xml: .*declares entities in a DOCTYPE/ },
  { name: 'Cobertura with an external entity (XXE)', action: 'pytest', inputs: { 'coverage-report': 'coverage.xml' }, files: { 'coverage.xml': { text: `${XXE('coverage')}<coverage line-rate="1" lines-valid="1" lines-covered="1"><sources><source>&xxe;</source></sources></coverage>` } }, error: /^input "coverage-report": coverage\.xml: not a valid Cobertura XML .*declares entities in a DOCTYPE/ },
  { name: 'Cobertura billion laughs', action: 'pytest', inputs: { 'coverage-report': 'coverage.xml' }, files: { 'coverage.xml': { text: `${LAUGHS}<coverage line-rate="&lol9;"/>` } }, error: /^input "coverage-report": coverage\.xml: .*declares entities/ },
  { name: 'an entity declared without a DOCTYPE subset', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: `<?xml version="1.0"?>\n<!ENTITY x "y">\n${JUNIT_OK}` } }, error: /^input "junit-report": junit\.xml: .*declares entities/ },
  { name: "old coverage.py's DTD reference is read (never fetched)", action: 'pytest', inputs: { 'coverage-report': 'coverage.xml' }, files: { 'coverage.xml': { text: COBERTURA_OK.replace('<coverage ', "<!DOCTYPE coverage SYSTEM 'http://127.0.0.1:9/coverage-04.dtd'>\n<coverage ") } }, outputs: { coverage: '50.00', tests: '' } },
  { name: 'JUnit nested 20,000 deep', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: deepXml(20_000) } }, error: /^input "junit-report": junit\.xml: not a valid JUnit XML .*report: .*nested/i },
  { name: 'JUnit truncated', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: JUNIT_OK.slice(0, 150) } }, error: /^input "junit-report": junit\.xml: not a valid JUnit XML .*report: XML error at line 1, column \d+/ },
  { name: 'JUnit empty', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: '' } }, error: /^input "junit-report": junit\.xml: not a valid JUnit XML .*report: the file is empty/ },
  { name: 'JUnit that is a Cobertura file', action: 'pytest', inputs: { 'junit-report': 'coverage.xml' }, files: { 'coverage.xml': { text: COBERTURA_OK } }, error: /^input "junit-report": coverage\.xml is a Cobertura XML report, not JUnit XML: give it to pytest input "coverage-report"/ },
  { name: 'Cobertura that is a JUnit file', action: 'pytest', inputs: { 'coverage-report': 'junit.xml' }, files: { 'junit.xml': { text: JUNIT_OK } }, error: /^input "coverage-report": junit\.xml is a JUnit XML report, not Cobertura XML: give it to pytest input "junit-report"/ },
  { name: 'JUnit that is an HTML error page', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>' } }, error: /^input "junit-report": junit\.xml is an HTML page/ },
  { name: 'JUnit that is a gzip file', action: 'pytest', inputs: { 'junit-report': 'junit.xml.gz' }, files: { 'junit.xml.gz': { base64: GZIP } }, error: /^input "junit-report": junit\.xml\.gz is a binary file .*unpack it first$/ },
  { name: 'JUnit in UTF-16 with a byte order mark', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { utf16le: JUNIT_OK.replace('utf-8', 'utf-16') } }, outputs: { tests: '2', passed: '2' } },
  {
    name: 'workflow commands in test names and failure messages stay text',
    action: 'pytest',
    inputs: { 'junit-report': 'junit.xml' },
    files: { 'junit.xml': { text: `<testsuites><testsuite name="::error::FORGED"><testcase classname="tests.t" name="::stop-commands::FORGEDTOKEN" file="tests/t.py" line="3"><failure message="&#10;::error file=x::FORGED&#10;##[error]FORGED">${FORGED.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</failure></testcase></testsuite></testsuites>` } },
    error: /^pytest failed: 1 test failed$/,
    outputs: { failed: '1' },
  },
  { name: 'absurd numbers in JUnit', action: 'pytest', inputs: { 'junit-report': 'junit.xml' }, files: { 'junit.xml': { text: '<testsuite name="s" time="1e999"><testcase name="a" time="-5" file="t.py" line="99999999999999999999"/><testcase name="b" time="NaN" line="-3"/></testsuite>' } }, outputs: { tests: '2', passed: '2' } },
  { name: 'coverage with more lines covered than exist', action: 'pytest', inputs: { 'coverage-report': 'coverage.xml' }, files: { 'coverage.xml': { text: '<coverage line-rate="1" lines-valid="10" lines-covered="9999"/>' } }, error: /^input "coverage-report": coverage\.xml: not a valid Cobertura XML .*lines-covered \(9999\) is more than lines-valid \(10\)/ },
  { name: 'coverage with a line rate of 5 and no lines', action: 'pytest', inputs: { 'coverage-report': 'coverage.xml' }, files: { 'coverage.xml': { text: '<coverage line-rate="5"/>' } }, error: /^input "coverage-report": coverage\.xml: not a valid Cobertura XML .*line-rate 5 is not between 0 and 1/ },
  { name: 'coverage with negative totals', action: 'pytest', inputs: { 'coverage-report': 'coverage.xml', 'min-coverage': '10' }, files: { 'coverage.xml': { text: '<coverage line-rate="0" lines-valid="-10" lines-covered="-20"/>' } }, error: /^input "coverage-report": coverage\.xml: not a valid Cobertura XML .*negative/ },
  { name: 'coverage with only a line-rate of Infinity', action: 'pytest', inputs: { 'coverage-report': 'coverage.xml' }, files: { 'coverage.xml': { text: '<coverage line-rate="1e400"/>' } }, error: /^input "coverage-report": coverage\.xml: not a valid Cobertura XML .*line-rate/ },

  // ------------------------------------------------------------ JSON and text reports
  { name: 'ruff JSON truncated', action: 'lint', inputs: { 'ruff-report': 'ruff.json' }, files: { 'ruff.json': { text: RUFF_ONE.slice(0, 60) } }, error: /^input "ruff-report": ruff\.json: not a valid ruff JSON .*\(the file looks truncated\)\. Write the report with `ruff check --output-format json/ },
  { name: 'ruff JSON malformed', action: 'lint', inputs: { 'ruff-report': 'ruff.json' }, files: { 'ruff.json': { text: '[{,}]' } }, error: /^input "ruff-report": ruff\.json: not a valid ruff JSON/ },
  { name: 'ruff report that is SARIF', action: 'lint', inputs: { 'ruff-report': 'ruff.sarif' }, files: { 'ruff.sarif': { text: SARIF } }, error: /^input "ruff-report": ruff\.sarif is a SARIF file; the actions read the tools' own JSON, not SARIF\. This input takes the output of `ruff check --output-format json/ },
  { name: 'ruff report that is mypy output', action: 'lint', inputs: { 'ruff-report': 'mypy.txt' }, files: { 'mypy.txt': { text: 'app/a.py:3: error: Incompatible types  [assignment]\n' } }, error: /^input "ruff-report": mypy\.txt is a mypy report, not ruff JSON: give it to lint input "mypy-report"/ },
  { name: "ruff's text output given to mypy-report", action: 'lint', inputs: { 'mypy-report': 'ruff.txt' }, files: { 'ruff.txt': { text: 'app/a.py:1:8: F401 [*] `os` imported but unused\n' } }, error: /^input "mypy-report": ruff\.txt is ruff's text output; lint reads ruff's JSON/ },
  { name: 'mypy report that is ruff JSON lines', action: 'lint', inputs: { 'mypy-report': 'ruff.jsonl' }, files: { 'ruff.jsonl': { text: JSON.parse(RUFF_ONE).map((d: unknown) => JSON.stringify(d)).join('\n') } }, error: /^input "mypy-report": ruff\.jsonl is a ruff JSON report, not mypy: give it to lint input "ruff-report"/ },
  { name: 'mypy report of workflow commands only', action: 'lint', inputs: { 'mypy-report': 'mypy.txt' }, files: { 'mypy.txt': { text: FORGED } }, error: /^input "mypy-report": mypy\.txt: not a valid mypy .*no mypy diagnostic found/ },
  { name: 'Trivy report that is bandit JSON', action: 'scan', inputs: { 'trivy-report': 'bandit.json' }, files: { 'bandit.json': { text: BANDIT } }, error: /^input "trivy-report": bandit\.json is a bandit JSON report, not Trivy JSON: give it to scan input "bandit-report"/ },
  { name: 'bandit report that is Trivy JSON', action: 'scan', inputs: { 'bandit-report': 'trivy.json' }, files: { 'trivy.json': { text: TRIVY([]) } }, error: /^input "bandit-report": trivy\.json is a Trivy JSON report, not bandit JSON: give it to scan input "trivy-report"/ },
  { name: 'pip-audit report that is Trivy JSON', action: 'scan', inputs: { 'pip-audit-report': 'trivy.json' }, files: { 'trivy.json': { text: TRIVY([]) } }, error: /^input "pip-audit-report": trivy\.json is a Trivy JSON report, not pip-audit JSON/ },
  { name: 'Trivy report that is pip-audit JSON', action: 'scan', inputs: { 'trivy-report': 'audit.json' }, files: { 'audit.json': { text: PIP_AUDIT } }, error: /^input "trivy-report": audit\.json is a pip-audit JSON report, not Trivy JSON: give it to scan input "pip-audit-report"/ },
  { name: "Trivy's table output", action: 'scan', inputs: { 'trivy-report': 'trivy.txt' }, files: { 'trivy.txt': { text: 'debian 12 (debian 12.5)\n=======================\nTotal: 1 (CRITICAL: 1)\n' } }, error: /^input "trivy-report": trivy\.txt: not a valid Trivy JSON .*Write the report with `trivy image --format json/ },
  { name: 'Trivy report that is an HTML page', action: 'scan', inputs: { 'trivy-report': 'trivy.json' }, files: { 'trivy.json': { text: '<html><head><title>404</title></head></html>' } }, error: /^input "trivy-report": trivy\.json is an HTML page/ },
  { name: 'Trivy report that is empty', action: 'scan', inputs: { 'trivy-report': 'trivy.json' }, files: { 'trivy.json': { text: '\n' } }, error: /^input "trivy-report": trivy\.json: not a valid Trivy JSON .*the file is empty/ },
  { name: 'Trivy report that is null', action: 'scan', inputs: { 'trivy-report': 'trivy.json' }, files: { 'trivy.json': { text: 'null' } }, error: /^input "trivy-report": trivy\.json: not a valid Trivy JSON .*expected an object with SchemaVersion/ },
  { name: 'Trivy report nested a million deep', action: 'scan', inputs: { 'trivy-report': 'trivy.json' }, files: { 'trivy.json': { text: `{"SchemaVersion":2,"Results":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}` } }, error: /^input "trivy-report": trivy\.json: not a valid Trivy JSON .*Results\[0\] is not an object/ },
  {
    name: 'prototype keys in a Trivy report',
    action: 'scan',
    inputs: { 'trivy-report': 'trivy.json', 'fail-on': '' },
    files: { 'trivy.json': { text: '{"SchemaVersion":2,"__proto__":{"ArtifactType":"vm"},"Results":[{"Target":"constructor","__proto__":{"Class":"os-pkgs"},"Vulnerabilities":[{"VulnerabilityID":"constructor","PkgName":"toString","Severity":"__proto__","__proto__":{"polluted":true}},{"VulnerabilityID":"hasOwnProperty","Severity":"constructor"}]}]}' } },
    outputs: { unknown: '2', critical: '0' },
  },
  { name: 'absurd numbers in a Trivy report', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'fail-on': '' }, files: { 'trivy.json': { text: JSON.stringify({ SchemaVersion: 2, ArtifactType: 'filesystem', Results: [{ Target: 'Dockerfile', Misconfigurations: [{ ID: 'DS002', Severity: 'HIGH', Status: 'FAIL', Title: 't', CauseMetadata: { StartLine: 1e308, EndLine: -1 } }], Secrets: [{ RuleID: 'x', Severity: 'LOW', StartLine: '12', EndLine: 9007199254740993 }] }] }) } }, outputs: { critical: '0', high: '0' }, writes: ['parking-ci-scan.sarif'] },
  { name: 'workflow commands in Trivy titles, packages and targets', action: 'scan', inputs: { 'trivy-report': 'trivy.json' }, files: { 'trivy.json': { text: TRIVY([VULN('CVE-FORGED', 'HIGH', { Title: FORGED, PkgName: '::error::FORGED', InstalledVersion: '\n::stop-commands::FORGEDTOKEN' })]) } }, error: /^scan failed: 1 HIGH finding \(trivy\)/, outputs: { high: '1' } },
  { name: '5,000 vulnerabilities: exact counts, annotations within the limit', action: 'scan', inputs: { 'trivy-report': 'trivy.json' }, files: { 'trivy.json': { text: TRIVY(Array.from({ length: 5000 }, (_, i) => VULN(`CVE-2026-${i}`, ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'][i % 5]!))) } }, error: /^scan failed: 1000 CRITICAL, 1000 HIGH findings \(trivy\)/, outputs: { critical: '1000', high: '1000', medium: '1000', low: '1000', unknown: '1000' } },
  { name: 'workflow commands in bandit findings', action: 'scan', inputs: { 'bandit-report': 'bandit.json', 'fail-on': '' }, files: { 'bandit.json': { text: BANDIT.replace('shell=True', FORGED.replace(/\n/g, '\\n')).replace('app/ops.py', '::error::FORGED.py') } }, outputs: { critical: '', 'sarif-file': 'parking-ci-scan.sarif' } },
  { name: 'prototype names in pip-audit', action: 'scan', inputs: { 'pip-audit-report': 'audit.json', 'fail-on': '' }, files: { 'audit.json': { text: JSON.stringify({ dependencies: [{ name: '__proto__', version: '1', vulns: [{ id: 'constructor', fix_versions: [] }] }, { name: 'toString', skip_reason: '::error::FORGED' }] }) } }, outputs: { 'sarif-file': 'parking-ci-scan.sarif' } },
  { name: 'workflow commands in ruff messages and file names', action: 'lint', inputs: { 'ruff-report': 'ruff.json' }, files: { 'ruff.json': { text: JSON.stringify([{ code: 'E501', message: FORGED, filename: 'a,b::c%0A.py', location: { row: 1, column: 1 }, end_location: { row: 1, column: 2 } }, { code: null, message: '::error::FORGED', filename: '##[error]FORGED.py', location: { row: 'x', column: -1 } }]) } }, error: /^lint failed: 2 errors \(ruff 2\)/, outputs: { ruff: '2' } },
  { name: 'absurd positions in ruff', action: 'lint', inputs: { 'ruff-report': 'ruff.json' }, files: { 'ruff.json': { text: JSON.stringify([{ code: 'E1', message: 'm', filename: 'a.py', location: { row: 1e20, column: -3 }, end_location: { row: 0.5, column: 'x' }, severity: 'warning' }]) } }, outputs: { warnings: '1', errors: '0' } },
  { name: 'a NUL byte deep inside a JSON report', action: 'lint', inputs: { 'ruff-report': 'ruff.json' }, files: { 'ruff.json': { text: `[${' '.repeat(2000)}\u0000]` } }, error: /^input "ruff-report": ruff\.json: not a valid ruff JSON/ },
  { name: 'bidi overrides and emoji in findings', action: 'lint', inputs: { 'mypy-report': 'mypy.txt' }, files: { 'mypy.txt': { text: 'app/\u202eyp.a.py:3: error: Name "🚗" is not defined  [name-defined]\n' } }, error: /^lint failed: 1 error \(mypy 1\)/, outputs: { mypy: '1' } },

  // ------------------------------------------------------------ inputs
  { name: 'uv-version that is a path', action: 'lint', inputs: { 'ruff-report': 'ruff.json', 'uv-version': '../../evil' }, files: { 'ruff.json': { text: '[]' } }, error: /^input "uv-version": "\.\.\/\.\.\/evil" is not a release version; give an exact version such as 0\.9\.13$/ },
  { name: 'trivy-version with a URL in it', action: 'scan', inputs: { 'trivy-report': 'trivy.json', 'trivy-version': '0.67.2/../../../attacker/x' }, files: { 'trivy.json': { text: TRIVY([]) } }, error: /^input "trivy-version": .* is not a release version/ },
  { name: 'run naming an unknown tool', action: 'lint', inputs: { run: 'ruff,eslint' }, error: /^input "run": unknown tool "eslint"; expected auto, or a comma list of ruff, mypy/ },
  { name: 'working-directory outside the workspace', action: 'lint', inputs: { run: 'ruff', 'working-directory': '../..', 'tool-runner': 'path' }, error: /^input "working-directory": \.\.\/\.\. is outside the workspace/ },
  { name: 'scan-path outside the workspace', action: 'scan', inputs: { 'scan-path': '/etc', run: 'trivy' }, error: /^input "scan-path": \/etc is outside the workspace/ },
  { name: 'working-directory that is a link leading outside', action: 'pytest', inputs: { run: 'pytest', 'working-directory': 'app', 'tool-runner': 'path' }, files: { app: { symlink: '$OUTSIDE/dir' } }, error: /^input "working-directory": app is a symbolic link leading outside the workspace/ },
  { name: 'a report and nothing to run reads only the report', action: 'scan', inputs: { 'pip-audit-report': 'audit.json' }, files: { 'audit.json': { text: PIP_AUDIT } }, error: /^scan failed: 1 HIGH finding \(pip-audit\)/, outputs: { critical: '', high: '', 'sarif-file': 'parking-ci-scan.sarif' } },
];
