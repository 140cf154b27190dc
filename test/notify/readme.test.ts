import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../testkit/run-action.js';

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const action = parse(readFileSync(join(ROOT, 'notify', 'action.yml'), 'utf8')) as ActionYml;
const readme = readFileSync(join(ROOT, 'notify', 'README.md'), 'utf8');

/** The rows of the markdown table under a `## heading`, cells trimmed, backticks removed. */
function tableUnder(heading: string): string[][] {
  const section = readme.split(/^## /m).find((s) => s.startsWith(heading))!;
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| Name'))
    .map((l) => l.slice(1, -1).split('|').map((c) => c.trim().replace(/^`|`$/g, '')));
}

describe('notify/README.md documents action.yml exactly', () => {
  test('inputs: names, required, defaults and descriptions', () => {
    const rows = Object.entries(action.inputs).map(([name, i]) => [name, i.required ? 'yes' : 'no', i.default ?? '', i.description]);
    expect(tableUnder('Inputs')).toEqual(rows);
  });

  test('outputs: names and descriptions', () => {
    expect(tableUnder('Outputs')).toEqual(Object.entries(action.outputs).map(([name, o]) => [name, o.description]));
  });
});
