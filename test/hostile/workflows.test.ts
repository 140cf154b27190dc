// The reusable workflows under hostile inputs. For every row of workflows.cases.ts:
// - statically: the input reaches scripts only through `env:` (never `${{ }}` inside `run:` or a
//   github-script `script:`), and our actions only through `with:`;
// - run with bash as the runner runs it: every step whose env carries the value (directly, or through
//   an earlier step's or job's output) writes a GITHUB_OUTPUT the runner reads as exactly the outputs the
//   script names, each once; prints no workflow command but its own one-line `::error::`/`::warning::`;
//   and runs nothing of the value. The step that checks the input refuses it naming the input, or passes
//   it on unchanged.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, type Step, type Workflow, REUSABLE_WORKFLOWS, commandLines, ourWorkflow, runStep } from '../workflows/workflows.js';
import { type ReusableWorkflow, type WorkflowCase, cases } from './workflows.cases.js';

const WORKFLOWS = Object.fromEntries(REUSABLE_WORKFLOWS.map((f) => [f, ourWorkflow(f).workflow])) as Record<ReusableWorkflow, Workflow>;

const CONFIG = JSON.stringify({
  image: 'registry.example.com/acme/parking-web',
  registry: { server: 'registry.example.com', username: 'ci' },
  environments: { production: { url: 'https://parking.example.com' }, staging: { url: 'https://staging.example.com' }, uat: {} },
});
const NO_CHANNELS = { HAS_SLACK: 'false', HAS_DINGTALK: 'false', HAS_WECOM: 'false', HAS_FEISHU: 'false', HAS_TELEGRAM: 'false', HAS_TEAMS: 'false', HAS_DISCORD: 'false', HAS_WEBHOOK: 'false' };

/** Ordinary values for every variable of every script step (`<workflow> <job>/<step id>`). */
const DEFAULTS: Record<string, Record<string, string>> = {
  'pipeline.yml build/route': { EVENT_NAME: 'push', REF: 'refs/heads/main', DEFAULT_BRANCH: 'main', STAGING_BRANCH: 'develop', DEPLOY_ENABLED: 'true', CONFIG_JSON: CONFIG },
  'pipeline.yml notify/message': { LINT: 'success', TEST: 'success', SCAN: 'success', BUILD: 'success', DEPLOY: 'success', ENVIRONMENT: 'production', ...NO_CHANNELS },
  'rollback.yml rollback/inputs': { ENVIRONMENT: 'production', TO: 'previous' },
  'rollback.yml rollback/plan': { CONFIG_JSON: CONFIG, ENVIRONMENT: 'production' },
  'rollback.yml notify/message': { RESULT: 'success', STATUS: 'deployed', TO: 'previous', VERSION: 'v1', PREVIOUS: 'v2', ...NO_CHANNELS },
};

/** Where an input's value goes on after the step that checked it (an output read by a later step). */
const THROUGH_OUTPUTS: Partial<Record<ReusableWorkflow, Record<string, [job: string, step: string, variable: string][]>>> = {
  'rollback.yml': { to: [['notify', 'message', 'TO']], environment: [['rollback', 'plan', 'ENVIRONMENT']] },
};

interface Flow {
  job: string;
  step: Step;
  key: string;
  variable: string;
}

const scriptSteps = (wf: Workflow) => Object.entries(wf.jobs).flatMap(([job, j]) => (j.steps ?? []).filter((s) => s.run !== undefined).map((step) => ({ job, step })));
const mentions = (text: unknown, input: string) => typeof text === 'string' && new RegExp(`\\binputs\\.${input.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![\\w-])`).test(text);

/** The script steps whose env carries the input's value: directly first (the checking step), then through outputs. */
function flowsOf(workflow: ReusableWorkflow, input: string): Flow[] {
  const wf = WORKFLOWS[workflow];
  const direct = scriptSteps(wf).flatMap(({ job, step }) =>
    Object.entries(step.env ?? {})
      .filter(([, v]) => mentions(v, input))
      .map(([variable]) => ({ job, step, key: `${job}/${step.id}`, variable })),
  );
  const later = (THROUGH_OUTPUTS[workflow]?.[input] ?? []).map(([job, id, variable]) => {
    const step = wf.jobs[job]!.steps!.find((s) => s.id === id)!;
    return { job, step, key: `${job}/${id}`, variable };
  });
  return [...direct, ...later];
}

/** Every place of a job where an expression names the input, as a path like `steps[2].with.args`. */
function placesOf(job: Job, input: string, path = ''): string[] {
  const walk = (value: unknown, at: string): string[] => {
    if (typeof value === 'string') return mentions(value, input) ? [at] : [];
    if (Array.isArray(value)) return value.flatMap((v, i) => walk(v, `${at}[${i}]`));
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => walk(v, at ? `${at}.${k}` : k));
    return [];
  };
  return walk(job, path);
}

/** The outputs a script names (`output <name> ...`). */
const declaredOutputs = (script: string) => new Set([...script.matchAll(/^\s*output ([a-z][a-z-]*) /gm)].map((m) => m[1]!));

/** Our own one-line annotations; anything else that starts a workflow command came from a value. */
const OWN_COMMAND = /^::(error|warning)::(Input [a-z-]+: |The |Branch )/;

function drive(c: WorkflowCase, flow: Flow) {
  const marker = join(mkdtempSync(join(tmpdir(), 'parking-ci-hostile-')), 'PWNED');
  const value = c.value.replaceAll('MARKER', marker);
  const checking = flowsOf(c.workflow, c.input)[0] === flow;
  const env = { ...DEFAULTS[`${c.workflow} ${flow.key}`], ...(checking ? c.context : {}), [flow.variable]: value };
  const r = runStep(flow.step, env);
  return { r, marker, value, checking };
}

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const wf = WORKFLOWS[c.workflow];
  const flows = flowsOf(c.workflow, c.input);

  test('is an input of the workflow', () => {
    expect(Object.keys(wf.on.workflow_call.inputs)).toContain(c.input);
  });

  test('reaches scripts only through env: and actions only through with:', () => {
    const places = Object.entries(wf.jobs).flatMap(([name, job]) => placesOf(job, c.input).map((p) => `${name}.${p}`));
    expect(places.length).toBeGreaterThan(0);
    for (const place of places) {
      expect(place).not.toMatch(/\.run$|\.script$|\.shell$/);
      expect(place).toMatch(/^\w+\.(name|if|environment(\.\w+)?|concurrency(\.group)?|services\.\w+\.image|steps\[\d+\]\.(env|with)\.[\w-]+|steps\[\d+\]\.if)$/);
    }
    for (const s of Object.values(wf.jobs).flatMap((j) => j.steps ?? [])) {
      if (s.uses?.startsWith('actions/github-script@')) expect(String(s.with?.script)).not.toContain('${{');
    }
    if (c.expect === 'action-input') expect(flows).toEqual([]);
    else expect(flows.length).toBeGreaterThan(0);
  });

  if (c.expect === 'action-input') return;

  test.each(flows.map((f) => [`${f.key} (${f.variable})`, f] as const))('%s: no output line, no command, nothing run', (_step, flow) => {
    const { r, marker, value, checking } = drive(c, flow);
    expect(existsSync(marker)).toBe(false);
    const names = r.entries.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect([...declaredOutputs(flow.step.run!)]).toContain(name);
    for (const [name, v] of r.entries) if (name !== 'message') expect([name, v.includes('\n') || v.includes('\r')]).toEqual([name, false]);
    const commands = commandLines(`${r.stdout}\n${r.stderr}`);
    expect(commands.length).toBeLessThanOrEqual(1);
    for (const line of commands) expect(line).toMatch(OWN_COMMAND);

    if (!checking) return;
    if (c.expect === 'refused') {
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^::error::Input ${c.input}: `, 'm'));
      expect(r.entries).toEqual([]);
    } else {
      expect([r.status, r.stderr]).toEqual([0, '']);
      if (c.output) expect(r.outputs[c.output]).toBe(value);
    }
  });
});

describe('the hostile cases cover the reusable workflows', () => {
  test('there are at least 25 of them, with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  test('every script step has ordinary values for its variables, and runs clean with them', () => {
    for (const f of REUSABLE_WORKFLOWS) {
      for (const { job, step } of scriptSteps(WORKFLOWS[f])) {
        const defaults = DEFAULTS[`${f} ${job}/${step.id}`];
        expect([f, job, step.id, defaults !== undefined]).toEqual([f, job, step.id, true]);
        const r = runStep(step, defaults!);
        expect([f, job, step.id, r.status, r.stdout]).toEqual([f, job, step.id, 0, '']);
      }
    }
  });

  test('every string input that a script sees has a case with a line break, and the values through outputs are outputs', () => {
    for (const f of REUSABLE_WORKFLOWS) {
      const { inputs } = WORKFLOWS[f].on.workflow_call;
      for (const [input, spec] of Object.entries(inputs as Record<string, { type: string }>)) {
        const direct = flowsOf(f, input).filter((fl) => mentions(fl.step.env?.[fl.variable], input));
        if (spec.type !== 'string' || direct.length === 0) continue;
        expect([f, input, cases.some((c) => c.workflow === f && c.input === input && /[\r\n]/.test(c.value))]).toEqual([f, input, true]);
      }
      for (const [input, list] of Object.entries(THROUGH_OUTPUTS[f] ?? {})) {
        for (const [job, id, variable] of list) {
          const v = WORKFLOWS[f].jobs[job]!.steps!.find((s) => s.id === id)!.env![variable]!;
          expect([input, v]).toEqual([input, expect.stringMatching(/^\$\{\{ (steps|needs)\.[\w-]+\.outputs\.[\w-]+ \}\}$/)]);
        }
      }
    }
  });

  test('bash and jq are there (the cases run the scripts)', () => {
    expect(spawnSync('jq', ['--version']).status).toBe(0);
  });
});
