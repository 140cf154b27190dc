#!/usr/bin/env node
// Keeps each action's README tables of inputs and outputs in step with its action.yml, and the root
// README's tables of the reusable workflows' inputs, secrets and outputs in step with the workflows.
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
// The reusable workflows' tables live in the root README between
//   <!-- parking-ci:<workflow>-inputs --> (and -secrets, -outputs), e.g. parking-ci:pipeline-inputs
// and are appended under `## Reusable workflows` when their markers are missing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { ACTIONS } from './actions.mjs';

/** The reusable workflows (`on: workflow_call`) documented in the root README. */
export const REUSABLE_WORKFLOWS = ['pipeline.yml', 'pr-checks.yml', 'rollback.yml'];

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

export function workflowInputsTable(inputs = {}) {
  const entries = Object.entries(inputs ?? {});
  if (entries.length === 0) return 'This workflow has no inputs.';
  const rows = entries.map(([name, spec]) => {
    const required = spec?.required === true ? 'yes' : 'no';
    const hasDefault = spec?.default !== undefined && spec?.default !== null && spec?.default !== '';
    return `| \`${name}\` | ${cell(spec?.type ?? 'string')} | ${required} | ${hasDefault ? code(spec.default) : ''} | ${cell(spec?.description)} |`;
  });
  return ['| Name | Type | Required | Default | Description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

export function secretsTable(secrets = {}) {
  const entries = Object.entries(secrets ?? {});
  if (entries.length === 0) return 'This workflow takes no secrets.';
  const rows = entries.map(([name, spec]) => `| \`${name}\` | ${spec?.required === true ? 'yes' : 'no'} | ${cell(spec?.description)} |`);
  return ['| Name | Required | Description |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The marked sections of one reusable workflow: `<name>-inputs`, `<name>-secrets`, `<name>-outputs`. */
export function workflowSections(file, workflow) {
  const name = file.replace(/\.ya?ml$/, '');
  const call = workflow?.on?.workflow_call ?? {};
  return [
    { section: `${name}-inputs`, title: `\`${file}\`: inputs`, table: workflowInputsTable(call.inputs) },
    { section: `${name}-secrets`, title: `\`${file}\`: secrets`, table: secretsTable(call.secrets) },
    { section: `${name}-outputs`, title: `\`${file}\`: outputs`, table: outputsTable(call.outputs).replace('This action has no outputs.', 'This workflow has no outputs.') },
  ];
}

/** The root README with fresh workflow tables; `missing` lists sections whose markers were not found. */
export function updateWorkflowTables(text, sections) {
  let result = text;
  const missing = [];
  for (const { section, table } of sections) {
    const start = result.indexOf(open(section));
    const end = start < 0 ? -1 : result.indexOf(close(section), start);
    if (start < 0 || end < 0) missing.push(section);
    else result = result.slice(0, start) + block(section, table) + result.slice(end + close(section).length);
  }
  if (missing.length) {
    const tail = sections.filter((s) => missing.includes(s.section)).flatMap((s) => [`### ${s.title}`, '', block(s.section, s.table), '']);
    const heading = result.includes('\n## Reusable workflows\n') ? [] : ['## Reusable workflows', ''];
    result = `${result.replace(/\n*$/, '')}\n\n${[...heading, ...tail].join('\n')}`;
  }
  return { text: result, missing };
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
  /** README path -> { before, text, missing } after every transform that applies to it. */
  const readmes = new Map();
  const readmeOf = (path) => {
    if (!readmes.has(path)) {
      const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      readmes.set(path, { before, text: before, missing: [] });
    }
    return readmes.get(path);
  };
  const readYaml = (file) => {
    try {
      return parse(readFileSync(file, 'utf8')) ?? {};
    } catch (error) {
      broken.push(`${relative(root, file)}: ${String(error.message).split('\n')[0]}`);
      return undefined;
    }
  };

  for (const { dir } of ACTIONS) {
    const actionFile = join(root, dir, 'action.yml');
    if (!existsSync(actionFile)) continue;
    const metadata = readYaml(actionFile);
    if (metadata === undefined) continue;
    const readme = readmeOf(join(root, dir, 'README.md'));
    // The root README is the suite's front page, not a stub to generate: it gets the plan action's
    // tables only once it exists.
    if (dir === '.' && readme.before === undefined) continue;
    const { text, missing } = updateReadme(readme.text, dir, metadata);
    readme.text = text;
    readme.missing.push(...missing);
  }

  const front = readmeOf(join(root, 'README.md'));
  for (const file of REUSABLE_WORKFLOWS) {
    const path = join(root, '.github', 'workflows', file);
    if (!existsSync(path) || front.before === undefined) continue;
    const workflow = readYaml(path);
    if (workflow === undefined) continue;
    const { text, missing } = updateWorkflowTables(front.text, workflowSections(file, workflow));
    front.text = text;
    front.missing.push(...missing);
  }

  for (const [path, { before, text, missing }] of readmes) {
    if (text === undefined || text === before) continue;
    const name = relative(root, path);
    if (check) {
      drifted.push(before === undefined ? `${name} (missing)` : missing.length ? `${name} (no ${missing.join('/')} markers)` : name);
    } else {
      writeFileSync(path, text);
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
      console.error(`README tables out of date with action.yml or the reusable workflows (run \`node scripts/readme-tables.mjs\`):\n${drifted.map((d) => `  ${d}`).join('\n')}`);
      process.exit(1);
    }
    if (!broken.length) console.log('README tables match every action.yml and reusable workflow.');
  } else {
    console.log(written.length ? `Updated ${written.join(', ')}` : 'README tables already up to date.');
  }
  if (broken.length) process.exit(1);
}
