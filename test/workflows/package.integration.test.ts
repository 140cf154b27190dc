// package.json: the runtime it declares is the one the actions run on (node24), and every dependency
// is used: a runtime dependency is imported by src/, a development one by the tests, scripts or tools.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './workflows.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The text of every source file under the folders (TypeScript, JavaScript, shell). */
function sources(...dirs: string[]): string {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.name === 'node_modules' || e.name === 'fixtures' || e.name.startsWith('.')) return [];
      const path = join(dir, e.name);
      if (e.isDirectory()) return walk(path);
      return /\.(ts|mts|mjs|js|cjs|sh)$/.test(e.name) ? [readFileSync(path, 'utf8')] : [];
    });
  return dirs.flatMap((d) => walk(join(ROOT, d))).join('\n');
}

const imports = (text: string, name: string) => new RegExp(`(from |import\\(|require\\()['"]${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/[^'"]*)?['"]`).test(text);

describe('package.json', () => {
  test('engines and @types/node match the node24 runtime every action runs on', () => {
    for (const dir of ['.', 'lint', 'pytest', 'scan', 'build', 'deploy', 'rollback', 'notify']) {
      expect([dir, parse(readFileSync(join(ROOT, dir, 'action.yml'), 'utf8')).runs.using]).toEqual([dir, 'node24']);
    }
    expect(pkg.engines.node).toBe('>=24');
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^24\./);
  });

  test('every runtime dependency is imported by src/', () => {
    const src = sources('src');
    for (const name of Object.keys(pkg.dependencies)) expect([name, imports(src, name)]).toEqual([name, true]);
  });

  test('every development dependency is used by the tests, scripts, tools or the type check', () => {
    const code = sources('test', 'testkit', 'scripts', 'bench') + readFileSync(join(ROOT, 'jest.config.js'), 'utf8');
    const tsconfigTypes = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { types: string[] } }).compilerOptions.types;
    const commands = Object.values(pkg.scripts).join('\n') + code;
    const BINS: Record<string, string> = { typescript: 'tsc', jest: 'jest', tsx: 'tsx' };
    for (const name of Object.keys(pkg.devDependencies)) {
      const used =
        imports(code, name) ||
        code.includes(`'${name}'`) ||
        (name.startsWith('@types/') && tsconfigTypes.includes(name.slice('@types/'.length))) ||
        // the types of a runtime dependency the product imports
        (name.startsWith('@types/') && name.slice('@types/'.length) in pkg.dependencies) ||
        (BINS[name] !== undefined && new RegExp(`\\b${BINS[name]}\\b`).test(commands));
      expect([name, used]).toEqual([name, true]);
    }
  });
});
