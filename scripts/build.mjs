#!/usr/bin/env node
// Builds every action bundle: tsc (type-checked ESM into lib/), then one ncc bundle per action.
// `node scripts/build.mjs --out DIR` writes the bundles elsewhere (used to check dist/ is current).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { ACTIONS } from './actions.mjs';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const root = resolve(import.meta.dirname, '..');
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(root, 'dist');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;

// Always lib/ inside the repo: ncc resolves node_modules from there, and its module ids come from the
// paths, so the dist/ freshness check must compile exactly where `npm run build` does.
const lib = join(root, 'lib');
rmSync(lib, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', lib], {
    stdio: 'inherit',
    cwd: root,
  });
} catch (err) {
  // With --only, type errors elsewhere in src/ (someone's work in progress) do not block one bundle.
  if (!only) throw err;
  console.warn('build: type errors above; bundling the requested actions anyway');
}

for (const { name } of ACTIONS) {
  if (only && !only.includes(name)) continue;
  const { code, assets } = await ncc(join(lib, 'actions', `${name}.js`), {
    minify: true,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
  });
  const dir = join(out, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), code);
  for (const [file, asset] of Object.entries(assets)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), asset.source);
  }
  process.stdout.write(`${outIndex > 0 ? out : 'dist'}/${name}/index.js ${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB\n`);
}
