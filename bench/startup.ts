// Bundle size and start-up time per action, measured as scripts/measure-startup.mjs does (time from
// `node dist/<action>/index.js` to its first output byte, runner environment, no inputs).
import { join } from 'node:path';
// @ts-expect-error -- a plain .mjs module without types: [{ name, dir }]
import { ACTIONS } from '../scripts/actions.mjs';
import { dirSize, firstLine, runnerEnv } from '../scripts/startup-probe.mjs';
import { median } from './stats.js';

export interface StartupRow {
  bundle: string;
  bytes: number;
  medianMs: number;
  firstLine: string;
}

export async function measureStartup(root: string, runs: number): Promise<StartupRow[]> {
  const env = runnerEnv();
  const measure = async (args: string[]) => {
    const samples: { ms: number; text: string }[] = [];
    for (let i = 0; i < runs; i++) samples.push(await firstLine(args, env));
    return { medianMs: median(samples.map((s) => s.ms)), firstLine: samples[0]!.text };
  };
  const rows: StartupRow[] = [{ bundle: "node -e ''", bytes: 0, ...(await measure(['-e', ''])) }];
  for (const { name } of ACTIONS as { name: string }[]) {
    rows.push({ bundle: `dist/${name}/`, bytes: dirSize(join(root, 'dist', name)), ...(await measure([join(root, 'dist', name, 'index.js')])) });
  }
  return rows;
}
