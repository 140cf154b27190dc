import * as core from '@actions/core';
import type { BuildRequest, BuildResult } from './run.js';
import { formatBytes } from './results.js';
import { escapeHtml } from '../github/escape.js';

const code = (s: string) => `<code>${escapeHtml(s)}</code>`;

export function cacheLine(result: BuildResult): string {
  const { steps, cached } = result.cache;
  if (steps === 0) return 'no Dockerfile steps';
  return `${cached} of ${steps} steps cached${cached === steps ? ' (nothing rebuilt)' : cached === 0 ? ' (everything rebuilt)' : ''}`;
}

export function sizeLine(result: BuildResult): string {
  const size = result.size;
  if (!size) return 'unknown';
  const layers = size.layers ? `, ${size.layers} layers` : '';
  const per = size.platforms.length > 1 ? ` — ${size.platforms.map((p) => `${p.platform} ${formatBytes(p.bytes)}`).join(', ')}` : '';
  return `${formatBytes(size.bytes)} ${size.measure}${layers}${per}`;
}

export async function writeBuildSummary(request: BuildRequest, result: BuildResult): Promise<void> {
  const s = core.summary.addHeading(`${result.pushed ? 'Pushed' : 'Built'} ${request.image.name}`, 2);
  s.addTable([
    [
      { data: '', header: true },
      { data: '', header: true },
    ],
    ['Digest', code(result.digest)],
    ['Image', code(result.imageRef)],
    ['Tags', result.tags.map(code).join(' ')],
    ['Size', sizeLine(result)],
    ['Cache', cacheLine(result)],
    ['Builder', `${result.driver} driver${request.platforms.length ? `, ${request.platforms.join(', ')}` : ''}`],
  ]);
  s.addHeading('Why these tags', 3);
  s.addTable([[{ data: 'Tag', header: true }, { data: 'Rule', header: true }], ...request.tags.map((t) => [code(t.tag), t.why])]);
  if (result.notes.length) s.addList(result.notes);
  if (result.pushed) s.addRaw(`\nDeploy exactly this build with \`version: ${result.digest}\` (the \`digest\` output).\n`);
  else s.addRaw('\nThe image was loaded into the local engine, not pushed (`push: false`).\n');
  await s.write();
}
