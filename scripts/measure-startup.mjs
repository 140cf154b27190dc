#!/usr/bin/env node
// How big each dist bundle is and how long it takes from `node dist/<action>/index.js` to its first log
// line (median of N runs; no inputs, so each fails fast on a missing required input or config file),
// beside `node -e ''`. With --shared, also builds the alternative — one shared bundle holding every
// action, behind thin per-action entries — and measures it the same way.
//   node scripts/measure-startup.mjs [--runs 20] [--shared]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ACTIONS } from './actions.mjs';
import { dirSize, firstLine, runnerEnv } from './startup-probe.mjs';

const root = resolve(import.meta.dirname, '..');
const runsIndex = process.argv.indexOf('--runs');
const RUNS = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 20;

/** The median time, and the first line seen (so a bundle that crashes is not mistaken for a fast one). */
async function median(args, env) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await firstLine(args, env));
  runs.sort((a, b) => a.ms - b.ms);
  const line = runs[0].text.length > 70 ? `${runs[0].text.slice(0, 67)}...` : runs[0].text;
  return [`${runs[Math.floor(runs.length / 2)].ms.toFixed(0)} ms`, line];
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Builds one ncc bundle of every action (each evaluated only when chosen) and a thin entry per action. */
async function buildShared() {
  const require = createRequire(import.meta.url);
  const ncc = require('@vercel/ncc');
  // Inside the repository, so the bundler resolves node_modules as for dist/.
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const out = mkdtempSync(join(root, 'node_modules', '.cache', 'parking-ci-shared-'));
  const lib = join(out, 'lib');
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', lib], { cwd: root, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere still leave JavaScript to bundle (tsc emits anyway).
  }
  // `webpackMode: "eager"` keeps every action in the one file; each runs only when its entry asks.
  const cases = ACTIONS.map(({ name }) => `  ${JSON.stringify(name)}: () => import(/* webpackMode: "eager" */ './actions/${name}.js'),`).join('\n');
  writeFileSync(join(lib, 'shared.js'), `const actions = {\n${cases}\n};\nawait actions[process.env.PARKING_CI_ACTION]();\n`);
  const { code, assets } = await ncc(join(lib, 'shared.js'), { minify: true, sourceMap: false, quiet: true, target: 'es2022' });
  const dist = join(out, 'dist');
  mkdirSync(join(dist, 'shared'), { recursive: true });
  writeFileSync(join(dist, 'shared', 'index.js'), code);
  for (const [file, asset] of Object.entries(assets)) writeFileSync(join(dist, 'shared', file), asset.source);
  for (const { name } of ACTIONS) {
    mkdirSync(join(dist, name));
    writeFileSync(join(dist, name, 'index.js'), `process.env.PARKING_CI_ACTION = ${JSON.stringify(name)};\nawait import('../shared/index.js');\n`);
    writeFileSync(join(dist, name, 'package.json'), '{ "type": "module" }\n');
  }
  return dist;
}

const env = runnerEnv();
const rows = [['bundle', 'size', `first line (median of ${RUNS})`, 'the line']];
rows.push(["node -e ''", '-', ...(await median(['-e', ''], env))]);
let perActionTotal = 0;
for (const { name } of ACTIONS) {
  const size = dirSize(join(root, 'dist', name));
  perActionTotal += size;
  rows.push([`dist/${name}/`, kib(size), ...(await median([join(root, 'dist', name, 'index.js')], env))]);
}
rows.push(['all per-action bundles', kib(perActionTotal), '', '']);

if (process.argv.includes('--shared')) {
  const dist = await buildShared();
  rows.push(['one shared bundle, thin entries:', '', '', '']);
  rows.push(['shared/ (bundle + assets)', kib(dirSize(join(dist, 'shared'))), '', '']);
  for (const { name } of ACTIONS) rows.push([`${name}/index.js -> shared`, `${statSync(join(dist, name, 'index.js')).size} B`, ...(await median([join(dist, name, 'index.js')], env))]);
  rows.push(['all, shared', kib(dirSize(dist)), '', '']);
  rmSync(join(dist, '..'), { recursive: true, force: true });
}

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const [i, row] of rows.entries()) {
  console.log(`| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`);
  if (i === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
}
