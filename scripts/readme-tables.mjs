#!/usr/bin/env node
// Keeps each action's README tables of inputs and outputs in step with its action.yml.
//
//   node scripts/readme-tables.mjs            rewrite the tables (creating a minimal README if missing)
//   node scripts/readme-tables.mjs --check    exit 1 listing the READMEs whose tables drifted
//   --root <dir>                              work on another checkout (tests)
//
// Only the text between the markers is ever rewritten:
//   <!-- parking-ci:inputs -->  ... <!-- /parking-ci:inputs -->
//   <!-- parking-ci:outputs --> ... <!-- /parking-ci:outputs -->
// A README without markers: the table under its `## Inputs` / `## Outputs` heading becomes the marked
// section (only that table changes); without such a heading the sections are appended at the end.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { ACTIONS } from './actions.mjs';

const SECTIONS = ['inputs', 'outputs'];
const open = (section) => `<!-- parking-ci:${section} -->`;
const close = (section) => `<!-- /parking-ci:${section} -->`;

/** Table cells are one line; a `|` would end the cell and `<context>` would render as an HTML tag. */
function cell(text) {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&(?![a-z]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

function code(text) {
  const s = String(text);
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${s.includes('`') ? ` ${s} ` : s}${fence}`.replace(/\|/g, '\\|');
}

export function inputsTable(inputs = {}) {
  const entries = Object.entries(inputs ?? {});
  if (entries.length === 0) return 'This action has no inputs.';
  const rows = entries.map(([name, spec]) => {
    const required = spec?.required === true || spec?.required === 'true' ? 'yes' : 'no';
    const hasDefault = spec?.default !== undefined && spec?.default !== null && spec?.default !== '';
    return `| \`${name}\` | ${required} | ${hasDefault ? code(spec.default) : ''} | ${cell(spec?.description)} |`;
  });
  return ['| Name | Required | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function outputsTable(outputs = {}) {
  const entries = Object.entries(outputs ?? {});
  if (entries.length === 0) return 'This action has no outputs.';
  const rows = entries.map(([name, spec]) => `| \`${name}\` | ${cell(spec?.description)} |`);
  return ['| Name | Description |', '| --- | --- |', ...rows].join('\n');
}

function tables(metadata) {
  return { inputs: inputsTable(metadata.inputs), outputs: outputsTable(metadata.outputs) };
}

function uses(dir) {
  return dir === '.' ? 'org/parking-ci@v1' : `org/parking-ci/${dir}@v1`;
}

function heading(dir, section) {
  const title = section === 'inputs' ? 'Inputs' : 'Outputs';
  return dir === '.' ? `## ${title} of the plan action` : `## ${title}`;
}

function block(section, table) {
  return `${open(section)}\n${table}\n${close(section)}`;
}

function minimalReadme(dir, metadata, t) {
  return [
    `# ${metadata.name ?? dir}`,
    '',
    cell(metadata.description),
    '',
    '```yaml',
    `- uses: ${uses(dir)}`,
    '```',
    '',
    ...SECTIONS.flatMap((s) => [heading(dir, s), '', block(s, t[s]), '']),
  ].join('\n');
}

/** The README text with fresh tables; `missing` lists sections whose markers were not found. */
export function updateReadme(text, dir, metadata) {
  const t = tables(metadata);
  if (text === undefined) return { text: minimalReadme(dir, metadata, t), missing: [...SECTIONS] };
  let result = text;
  const missing = [];
  for (const section of SECTIONS) {
    const start = result.indexOf(open(section));
    const end = start < 0 ? -1 : result.indexOf(close(section), start);
    if (start < 0 || end < 0) {
      missing.push(section);
      continue;
    }
    result = result.slice(0, start) + block(section, t[section]) + result.slice(end + close(section).length);
  }
  const appended = [];
  for (const section of missing) {
    const adopted = adoptTable(result, section, block(section, t[section]));
    if (adopted === undefined) appended.push(section);
    else result = adopted;
  }
  if (appended.length) {
    const tail = appended.flatMap((s) => [heading(dir, s), '', block(s, t[s]), '']).join('\n');
    result = `${result.replace(/\n*$/, '')}\n\n${tail}`;
  }
  return { text: result, missing };
}

/**
 * A README written before the markers existed: under its `## Inputs` (or `## Outputs`) heading, the
 * first table (or, without one, the spot right below the heading) becomes the marked section. Only
 * that table is replaced; the heading and every other line stay as they are.
 */
function adoptTable(text, section, marked) {
  const lines = text.split('\n');
  const title = section === 'inputs' ? 'Inputs' : 'Outputs';
  const at = lines.findIndex((l) => new RegExp(`^#{2,4}\\s+${title}\\b`, 'i').test(l));
  if (at < 0) return undefined;
  let first = at + 1;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first < lines.length && lines[first].startsWith('|')) {
    let last = first;
    while (last + 1 < lines.length && lines[last + 1].startsWith('|')) last++;
    lines.splice(first, last - first + 1, marked);
  } else {
    lines.splice(at + 1, 0, '', marked);
  }
  return lines.join('\n');
}

export function run({ root, check }) {
  const drifted = [];
  const written = [];
  const broken = [];
  for (const { dir } of ACTIONS) {
    const actionFile = join(root, dir, 'action.yml');
    if (!existsSync(actionFile)) continue;
    let metadata;
    try {
      metadata = parse(readFileSync(actionFile, 'utf8')) ?? {};
    } catch (error) {
      broken.push(`${relative(root, actionFile)}: ${String(error.message).split('\n')[0]}`);
      continue;
    }
    const readme = join(root, dir, 'README.md');
    const before = existsSync(readme) ? readFileSync(readme, 'utf8') : undefined;
    // The root README is the suite's front page, not a stub to generate: it gets the plan action's
    // tables only once it exists.
    if (dir === '.' && before === undefined) continue;
    const { text, missing } = updateReadme(before, dir, metadata);
    if (text === before) continue;
    const name = relative(root, readme);
    if (check) {
      drifted.push(before === undefined ? `${name} (missing)` : missing.length ? `${name} (no ${missing.join('/')} markers)` : name);
    } else {
      writeFileSync(readme, text);
      written.push(name);
    }
  }
  return { drifted, written, broken };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('readme-tables.mjs')) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const at = args.indexOf('--root');
  const root = resolve(at >= 0 ? args[at + 1] : join(import.meta.dirname, '..'));
  const { drifted, written, broken } = run({ root, check });
  for (const b of broken) console.error(`cannot read ${b}`);
  if (check) {
    if (drifted.length) {
      console.error(`README tables out of date with action.yml (run \`node scripts/readme-tables.mjs\`):\n${drifted.map((d) => `  ${d}`).join('\n')}`);
      process.exit(1);
    }
    if (!broken.length) console.log('README tables match every action.yml.');
  } else {
    console.log(written.length ? `Updated ${written.join(', ')}` : 'README tables already up to date.');
  }
  if (broken.length) process.exit(1);
}
