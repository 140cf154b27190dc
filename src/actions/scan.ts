import * as core from '@actions/core';
import { untrusted } from '../github/untrusted.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';
import { emitAnnotations } from '../github/annotations.js';
import { booleanInput, optionalInput, validInput } from '../github/inputs.js';
import { relativeFindings, toAnnotation } from '../reports/annotate.js';
import { parseBandit } from '../reports/bandit.js';
import { type ReportFile, readReports, workspaceDir, workspaceFolder, workspaceTarget, writeWorkspaceFile } from '../reports/files.js';
import { type Finding, type ScannerSeverity, SCANNER_SEVERITIES } from '../reports/finding.js';
import { parseReportFile } from '../reports/formats.js';
import { parseFailOn, scanGate } from '../reports/gates.js';
import { listInputWithDefault, toolsToRun } from '../reports/inputs.js';
import { ToolOutcomes, failureLine } from '../reports/outcome.js';
import { parsePipAudit } from '../reports/pip-audit.js';
import { toSarif } from '../reports/sarif.js';
import { type ScanResult, scanSummary } from '../reports/summaries.js';
import { parseTrivy } from '../reports/trivy.js';
import { type Runner, banditCommand, pipAuditCommand, trivyCommand, uvExportCommand } from '../tools/commands.js';
import { runTool, tail } from '../tools/exec.js';
import { installTrivy, resolveRunner, toolVersionInput } from '../tools/install.js';
import { restoreTrivyDb, saveTrivyDb } from '../tools/trivy-db-cache.js';

const SEVERITY = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'], { error: 'expected CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN' });
const TOOLS = ['trivy', 'bandit', 'pip-audit'] as const;
type ScanTool = (typeof TOOLS)[number];

async function main(): Promise<void> {
  const workspace = workspaceDir();
  const workingDirectory = optionalInput('working-directory') ?? '.';
  const failOn = parseFailOn(listInputWithDefault('fail-on', 'CRITICAL,HIGH'));
  const ignoreUnfixed = booleanInput('ignore-unfixed');
  const reports: Record<ScanTool, string | undefined> = { trivy: optionalInput('trivy-report'), bandit: optionalInput('bandit-report'), 'pip-audit': optionalInput('pip-audit-report') };
  const imageRef = optionalInput('image-ref');
  const scanPathInput = optionalInput('scan-path');
  // image-ref and scan-path ask for Trivy by themselves; without either Trivy has nothing to scan.
  const toRun = toolsToRun(TOOLS, reports, { always: imageRef || scanPathInput ? ['trivy'] : [] }).filter((t) => t !== 'trivy' || imageRef || scanPathInput);
  const pipAuditSeverity = validInput('pip-audit-severity', SEVERITY, (optionalInput('pip-audit-severity') ?? 'HIGH').toUpperCase()).toLowerCase() as ScannerSeverity;
  const sarifFile = optionalInput('sarif-file') ?? 'parking-ci-scan.sarif';
  const runnerChoice = validInput('tool-runner', z.enum(['uv', 'path']), optionalInput('tool-runner') ?? 'uv');
  const uvVersion = toolVersionInput('uv-version', '0.9.13');
  const trivyVersion = toolVersionInput('trivy-version', '0.67.2');
  const cwd = toRun.some((t) => t !== 'trivy') ? workspaceFolder('working-directory', workingDirectory, workspace) : workspace;
  const scanPath = toRun.includes('trivy') && !imageRef && scanPathInput ? workspaceFolder('scan-path', scanPathInput, workspace) : undefined;
  if (!TOOLS.some((t) => reports[t]) && toRun.length === 0) {
    throw new UserError('nothing to scan: give trivy-report, bandit-report or pip-audit-report, or image-ref / scan-path for Trivy, or list tools in "run"');
  }
  // Before minutes of scanning, not after: a SARIF path that cannot be written fails at once.
  if (toRun.length) workspaceTarget('sarif-file', sarifFile, workspace);
  const out = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'scan-'));
  let runner: Promise<Runner> | undefined;
  const getRunner = async (tool: string) => {
    try {
      return await (runner ??= resolveRunner(runnerChoice, uvVersion));
    } catch (err) {
      throw new UserError(`${tool} could not run: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const result: ScanResult = { findings: [], sources: [] };
  const outcomes = new ToolOutcomes();
  /** A tool's report files: the given ones, or the one the tool just wrote. */
  const reportsOf = async (tool: ScanTool, run: () => Promise<ReportFile>): Promise<ReportFile[] | undefined> => {
    if (reports[tool]) return readReports(`${tool}-report`, reports[tool]!, workspace);
    return toRun.includes(tool) ? [await run()] : undefined;
  };

  await outcomes.attempt('trivy', async () => {
    // One JSON run from which counts, gate and SARIF are all derived.
    const files = await reportsOf('trivy', () => runTrivy(trivyVersion, imageRef, scanPath, out));
    if (!files) return;
    const parsed = files.map((f) => parseReportFile(f, 'trivy', parseTrivy));
    result.findings.push(...parsed.flatMap((t) => t.findings));
    result.artifact = [...new Set(parsed.map((t) => t.artifactName).filter(Boolean))].join(', ') || imageRef || scanPathInput;
    result.sources.push({ tool: 'trivy', from: files.map((f) => f.path).join(', ') });
  });
  await outcomes.attempt('bandit', async () => {
    const files = await reportsOf('bandit', async () => {
      const file = join(out, 'bandit.json');
      const paths = (optionalInput('paths') ?? '.').split(/\s+/).filter(Boolean);
      const r = await runTool(banditCommand(await getRunner('bandit'), paths, file), cwd);
      // bandit exits 1 when it found issues; no report file means it did not run.
      if (!existsSync(file)) throw new UserError(`bandit failed (exit code ${r.exitCode}): ${tail(r.stderr || r.stdout, 5)}`);
      return { path: 'bandit -r', text: readFileSync(file, 'utf8') };
    });
    if (!files) return;
    const parsed = files.map((f) => parseReportFile(f, 'bandit', parseBandit));
    result.findings.push(...parsed.flatMap((b) => b.findings));
    result.banditErrors = parsed.flatMap((b) => b.errors);
    result.sources.push({ tool: 'bandit', from: files.map((f) => f.path).join(', ') });
  });
  await outcomes.attempt('pip-audit', async () => {
    const files = await reportsOf('pip-audit', async () => runPipAudit(await getRunner('pip-audit'), cwd, out));
    if (!files) return;
    const parsed = files.map((f) => parseReportFile(f, 'pip-audit', (text, source) => parsePipAudit(text, source, pipAuditSeverity)));
    result.findings.push(...parsed.flatMap((a) => a.findings));
    result.pipAuditSkipped = parsed.flatMap((a) => a.skipped);
    result.sources.push({ tool: 'pip-audit', from: files.map((f) => f.path).join(', ') });
  });
  result.failures = outcomes.failures;

  // Trivy's targets are relative to what it scanned; bandit's and pip-audit's to the working directory.
  const trivyBase = !reports.trivy && scanPathInput && !imageRef ? scanPathInput : workingDirectory;
  result.findings = [
    ...relativeFindings(result.findings.filter((f) => f.tool === 'trivy'), trivyBase),
    ...relativeFindings(result.findings.filter((f) => f.tool !== 'trivy'), workingDirectory),
  ];
  // The SARIF holds every finding that was read, whatever fail-on, ignore-unfixed or a failed tool say.
  await outcomes.attempt('sarif', async () => {
    writeWorkspaceFile('sarif-file', sarifFile, JSON.stringify(toSarif(result.findings, { tools: result.sources.map((s) => s.tool), fallbackUri: result.artifact })), workspace);
    result.sarifFile = sarifFile;
  });

  const unfixed = (f: Finding) => f.kind === 'vulnerability' && !f.package?.fixed;
  const counted = ignoreUnfixed ? result.findings.filter((f) => !unfixed(f)) : result.findings;
  if (ignoreUnfixed) result.ignoredUnfixed = result.findings.length - counted.length;
  const counts = Object.fromEntries(SCANNER_SEVERITIES.map((s) => [s, 0])) as Record<ScannerSeverity, number>;
  for (const f of counted) if (f.tool === 'trivy' && f.kind === 'vulnerability') counts[f.severity as ScannerSeverity]++;
  // Without a Trivy result the counts are empty, not a reassuring 0.
  const trivyRead = result.sources.some((s) => s.tool === 'trivy');
  for (const s of SCANNER_SEVERITIES) core.setOutput(s, trivyRead ? counts[s] : '');
  core.setOutput('sarif-file', result.sarifFile ?? '');
  result.trivyCounts = counts;

  const gate = scanGate(counted, failOn);
  const failure = failureLine('scan', gate, outcomes.failures, ` (see the step summary${result.sarifFile ? `; every finding is in ${result.sarifFile}` : ''})`);
  const shown = emitAnnotations(counted.map((f) => toAnnotation(f)), { reserveErrors: failure ? 1 : 0 });
  const summary = scanSummary({ ...result, findings: counted }, gate, failOn);
  const omitted = shown.omitted.error + shown.omitted.warning + shown.omitted.notice;
  if (omitted) summary.paragraph(`${omitted} more findings are not annotated (GitHub shows 10 of each level per step); every finding is counted above and is in the SARIF file.`);
  summary.write();
  core.info(`scan: ${trivyRead ? `${SCANNER_SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')} Trivy vulnerabilities` : 'no Trivy result'}; ${result.findings.length} findings${result.sarifFile ? ` in ${untrusted(result.sarifFile)}` : ''}`);
  if (failure) throw new UserError(failure);
}

async function runTrivy(version: string, imageRef: string | undefined, scanPath: string | undefined, out: string): Promise<ReportFile> {
  let trivy: string;
  try {
    trivy = await installTrivy(version);
  } catch (err) {
    throw new UserError(`trivy could not run: ${err instanceof Error ? err.message : String(err)}`);
  }
  const cacheDir = join(homedir(), '.cache', 'trivy');
  const restored = await restoreTrivyDb(cacheDir);
  const outFile = join(out, 'trivy.json');
  const r = await core.group(`trivy ${imageRef ? `image ${imageRef}` : `fs ${scanPath}`}`, () => runTool(trivyCommand(trivy, { imageRef, scanPath, outFile, cacheDir }), process.cwd()));
  if (r.exitCode !== 0 || !existsSync(outFile)) throw new UserError(`trivy failed (exit code ${r.exitCode}): ${tail(r.stderr || r.stdout, 8)}`);
  // Saved before the gate can fail the step, so the next run has the DB even after a failing scan
  // (but not after Trivy itself failed: its DB may be half downloaded).
  await saveTrivyDb(cacheDir, restored);
  return { path: `trivy ${imageRef ? 'image' : 'fs'}`, text: readFileSync(outFile, 'utf8') };
}

async function runPipAudit(runner: Runner, cwd: string, out: string): Promise<ReportFile> {
  const file = join(out, 'pip-audit.json');
  let requirements: string | undefined;
  if (runner.kind === 'uv' && existsSync(join(cwd, 'pyproject.toml'))) {
    requirements = join(out, 'requirements.txt');
    const exported = await runTool(uvExportCommand(runner.uv, requirements), cwd);
    if (exported.exitCode !== 0) throw new UserError(`uv export failed (exit code ${exported.exitCode}): ${tail(exported.stderr, 5)}`);
  } else if (existsSync(join(cwd, 'requirements.txt'))) requirements = join(cwd, 'requirements.txt');
  const r = await runTool(pipAuditCommand(runner, file, requirements), cwd);
  // pip-audit exits 1 when it found vulnerabilities; no report file means it did not run.
  if (!existsSync(file)) throw new UserError(`pip-audit failed (exit code ${r.exitCode}): ${tail(r.stderr || r.stdout, 5)}`);
  return { path: 'pip-audit', text: readFileSync(file, 'utf8') };
}

await runAction(main);
