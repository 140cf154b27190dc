import { parseConfig } from '../../src/config/load.js';
import { ValidationError, type Problem } from '../../src/errors.js';
import { CASES, FILE, withEnv } from './invalid-cases.js';

function problemsOf(text: string): Problem[] {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).file).toBe(FILE);
    return (err as ValidationError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('the config loader rejects an invalid config with the key path, line, column and an actionable message', () => {
  test.each(CASES)('$name', ({ yaml, path, line, column, message }) => {
    const problems = problemsOf(yaml);
    const problem = problems.find((p) => p.path === path);
    expect(problem).toBeDefined();
    expect(problem).toMatchObject({ line, column });
    if (typeof message === 'string') expect(problem!.message).toBe(message);
    else expect(problem!.message).toMatch(message);
  });

  test('there are at least 20 distinct invalid configs, most with exact messages', () => {
    expect(new Set(CASES.map((c) => c.yaml)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    expect(CASES.filter((c) => typeof c.message === 'string').length).toBeGreaterThanOrEqual(20);
  });

  test('every problem in a file is reported, in file order', () => {
    const problems = problemsOf(withEnv('    strategy: canary\n    drain: 5\n    batch-size: none\n'));
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['environments.production.strategy', 7],
      ['environments.production.drain', 8],
      ['environments.production.batch-size', 9],
    ]);
  });

  test('a missing key and a misspelling of it are both reported', () => {
    const problems = problemsOf('app: parking\nimage: x/y\nenvironmnets: {p: {hosts: [a], app-dir: /o}}\n');
    expect(problems.map((p) => p.path)).toEqual(['environments', 'environmnets']);
    expect(problems[1]!.message).toContain('did you mean "environments"?');
  });

  test('the error message names the file, the key and the position', () => {
    try {
      parseConfig(withEnv('    drain: 5\n'), FILE);
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect((err as Error).message).toBe(
        '.github/parking-ci.yml: environments.production.drain: expected a duration like "500ms", "5s" or "2m", got 5 (line 7, column 12)',
      );
    }
  });
});

describe('hostile YAML is refused quickly, as a problem in the file', () => {
  test('an alias bomb ("billion laughs") is not expanded', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const started = Date.now();
    const problems = problemsOf(`x-bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n${withEnv('')}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problems).toEqual([{ path: '', message: expect.stringMatching(/^YAML aliases expand too far .*; write the values out or use fewer nested aliases$/), line: 1, column: 1 }]);
  });

  test('a deeply nested document does not crash the loader', () => {
    const deep = `${'['.repeat(2000)}${']'.repeat(2000)}\n`;
    expect(problemsOf(deep).length).toBeGreaterThan(0);
  });
});
