// The hostile-input corpus as a whole: every `<area>.cases.ts` in this folder (found at run time, so
// an area counts as soon as its file lands), each row named once across all areas.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIR = import.meta.dirname;
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.cases.ts'))
  .sort();

async function loadAreas(): Promise<{ area: string; cases: unknown }[]> {
  return Promise.all(
    files.map(async (file) => ({ area: file.replace(/\.cases\.ts$/, ''), cases: ((await import(pathToFileURL(join(DIR, file)).href)) as { cases?: unknown }).cases })),
  );
}

describe('the hostile-input corpus', () => {
  test('every area file exports `cases`: a non-empty array of rows, each with a name', async () => {
    expect(files.length).toBeGreaterThan(0);
    for (const { area, cases } of await loadAreas()) {
      expect({ area, isArray: Array.isArray(cases) }).toEqual({ area, isArray: true });
      const rows = cases as { name?: unknown }[];
      expect({ area, empty: rows.length === 0 }).toEqual({ area, empty: false });
      const unnamed = rows.filter((row) => typeof row?.name !== 'string' || row.name.trim() === '');
      expect({ area, unnamed }).toEqual({ area, unnamed: [] });
    }
  });

  test('every case has a name no other case has, in any area', async () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const { area, cases } of await loadAreas()) {
      for (const { name } of cases as { name: string }[]) {
        if (seen.has(name)) duplicates.push(`${name} (${seen.get(name)} and ${area})`);
        else seen.set(name, area);
      }
    }
    expect(duplicates).toEqual([]);
  });

  test('the corpus holds at least 300 cases across all areas', async () => {
    const counts = Object.fromEntries((await loadAreas()).map(({ area, cases }) => [area, (cases as unknown[]).length]));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total < 300) throw new Error(`the corpus holds ${total} cases (${JSON.stringify(counts)}); at least 300 are needed`);
    expect(total).toBeGreaterThanOrEqual(300);
  });
});
