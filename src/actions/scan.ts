import * as core from '@actions/core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';
import { emitAnnotations } from '../github/annotations.js';
import { booleanInput, optionalInput, validInput } from '../github/inputs.js';
import { listInputWithDefault } from '../reports/inputs.js';
import { relativeFindings, toAnnotation } from '../reports/annotate.js';
import { parseBandit } from '../reports/bandit.js';
import { type Finding, type ScannerSeverity, SCANNER_SEVERITIES } from '../reports/finding.js';
import { parseFailOn, parseToolList, scanGate } from '../reports/gates.js';
import { parsePipAudit } from '../reports/pip-audit.js';
import { readReport } from '../reports/read.js';
import { toSarif } from '../reports/sarif.js';
import { type ScanResult, scanSummary } from '../reports/summaries.js';
import { parseTrivy } from '../reports/trivy.js';
import { type Runner, banditCommand, pipAuditCommand, trivyCommand, uvExportCommand } from '../tools/commands.js';
import { runTool, tail } from '../tools/exec.js';
import { installTrivy, resolveRunner } from '../tools/install.js';
import { restoreTrivyDb, saveTrivyDb } from '../tools/trivy-db-cache.js';

const SEVERITY = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'], { error: 'expected CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN' });

async function main(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workingDirectory = optionalInput('working-directory') ?? '.';
  const cwd = resolve(workspace, workingDirectory);
  const failOn = parseFailOn(listInputWithDefault('fail-on', 'CRITICAL,HIGH'));
  const ignoreUnfixed = booleanInput('ignore-unfixed');
  const toRun = parseToolList('run', listInputWithDefault('run', 'trivy,bandit,pip-audit'), ['trivy', 'bandit', 'pip-audit'] as const);
  const pipAuditSeverity = validInput('pip-audit-severity', SEVERITY, (optionalInput('pip-audit-severity') ?? 'HIGH').toUpperCase()).toLowerCase() as ScannerSeverity;
  const imageRef = optionalInput('image-ref');
  const scanPath = optionalInput('scan-path');
  const out = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'scan-'));
  let runner: Runner | undefined;
  const getRunner = async () =>
    (runner ??= await resolveRunner(validInput('tool-runner', z.enum(['uv', 'path']), optionalInput('tool-runner') ?? 'uv'), optionalInput('uv-version') ?? '0.9.13'));

  const result: ScanResult = { findings: [], sources: [] };

  // Trivy: a report, or one JSON run from which counts, gate and SARIF are all derived.
  let trivyText: { path: string; text: string } | undefined;
  if (optionalInput('trivy-report')) trivyText = readReport('trivy-report', optionalInput('trivy-report')!);
  else if (toRun.includes('trivy') && (imageRef || scanPath)) trivyText = await runTrivy(imageRef, scanPath ? resolve(workspace, scanPath) : undefined, out);
  if (trivyText) {
    const trivy = parseTrivy(trivyText.text, trivyText.path);
    result.findings.push(...trivy.findings);
    result.artifact = trivy.artifactName ?? imageRef ?? scanPath;
    result.sources.push({ tool: 'trivy', from: trivyText.path });
  }

  let banditText: { path: string; text: string } | undefined;
  if (optionalInput('bandit-report')) banditText = readReport('bandit-report', optionalInput('bandit-report')!);
  else if (toRun.includes('bandit')) {
    const file = join(out, 'bandit.json');
    const paths = (optionalInput('paths') ?? '.').split(/\s+/).filter(Boolean);
    const r = await runTool(banditCommand(await getRunner(), paths, file), cwd);
    // bandit exits 1 when it found issues; no report file means it did not run.
    if (!existsSync(file)) throw new UserError(`bandit failed (exit code ${r.exitCode}): ${tail(r.stderr || r.stdout, 5)}`);
    banditText = { path: 'bandit -r', text: readFileSync(file, 'utf8') };
  }
  if (banditText) {
    const bandit = parseBandit(banditText.text, banditText.path);
    result.findings.push(...bandit.findings);
    result.banditErrors = bandit.errors;
    result.sources.push({ tool: 'bandit', from: banditText.path });
  }

  let auditText: { path: string; text: string } | undefined;
  if (optionalInput('pip-audit-report')) auditText = readReport('pip-audit-report', optionalInput('pip-audit-report')!);
  else if (toRun.includes('pip-audit')) auditText = await runPipAudit(await getRunner(), cwd, out);
  if (auditText) {
    const audit = parsePipAudit(auditText.text, auditText.path, pipAuditSeverity);
    result.findings.push(...audit.findings);
    result.pipAuditSkipped = audit.skipped;
    result.sources.push({ tool: 'pip-audit', from: auditText.path });
  }
  if (result.sources.length === 0) {
    throw new UserError('nothing to scan: give trivy-report, bandit-report or pip-audit-report, or image-ref / scan-path for Trivy, or list tools in "run"');
  }

  // Trivy's targets are relative to what it scanned; bandit's and pip-audit's to the working directory.
  const trivyBase = !optionalInput('trivy-report') && scanPath && !imageRef ? scanPath : workingDirectory;
  result.findings = [
    ...relativeFindings(result.findings.filter((f) => f.tool === 'trivy'), trivyBase),
    ...relativeFindings(result.findings.filter((f) => f.tool !== 'trivy'), workingDirectory),
  ];
  // The SARIF holds every finding, whatever fail-on and ignore-unfixed say.
  const sarifFile = optionalInput('sarif-file') ?? 'parking-ci-scan.sarif';
  const sarifPath = resolve(workspace, sarifFile);
  mkdirSync(dirname(sarifPath), { recursive: true });
  writeFileSync(sarifPath, JSON.stringify(toSarif(result.findings, { tools: result.sources.map((s) => s.tool), fallbackUri: result.artifact })));
  result.sarifFile = sarifFile;

  const unfixed = (f: Finding) => f.kind === 'vulnerability' && !f.package?.fixed;
  const counted = ignoreUnfixed ? result.findings.filter((f) => !unfixed(f)) : result.findings;
  if (ignoreUnfixed) result.ignoredUnfixed = result.findings.length - counted.length;
  const counts = Object.fromEntries(SCANNER_SEVERITIES.map((s) => [s, 0])) as Record<ScannerSeverity, number>;
  for (const f of counted) if (f.tool === 'trivy' && f.kind === 'vulnerability') counts[f.severity as ScannerSeverity]++;
  for (const s of SCANNER_SEVERITIES) core.setOutput(s, counts[s]);
  core.setOutput('sarif-file', sarifFile);
  result.trivyCounts = counts;

  const gate = scanGate(counted, failOn);
  const shown = emitAnnotations(counted.map((f) => toAnnotation(f)), { reserveErrors: gate.failed ? 1 : 0 });
  const summary = scanSummary({ ...result, findings: counted }, gate, failOn);
  const omitted = shown.omitted.error + shown.omitted.warning + shown.omitted.notice;
  if (omitted) summary.paragraph(`${omitted} more findings are not annotated (GitHub shows 10 of each level per step); every finding is counted above and is in the SARIF file.`);
  summary.write();
  core.info(`scan: ${SCANNER_SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')} Trivy vulnerabilities; ${result.findings.length} findings in ${sarifFile}`);
  if (gate.failed) throw new UserError(`scan failed: ${gate.reasons.join('; ')} (see the step summary; every finding is in ${sarifFile})`);
}

async function runTrivy(imageRef: string | undefined, scanPath: string | undefined, out: string): Promise<{ path: string; text: string }> {
  const trivy = await installTrivy(optionalInput('trivy-version') ?? '0.67.2');
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

async function runPipAudit(runner: Runner, cwd: string, out: string): Promise<{ path: string; text: string }> {
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
