import { ReportError } from './report-error.js';
import { attr, children, parseXml } from './xml.js';

const FORMAT = 'Cobertura XML (coverage.py `--cov-report=xml`)';

export interface FileCoverage {
  file: string;
  covered: number;
  valid: number;
  /** Percent, 0-100. */
  percent: number;
  /** Line numbers never hit. */
  missing: number[];
}

export interface Coverage {
  covered: number;
  valid: number;
  /** Line coverage in percent (0-100), unrounded. */
  percent: number;
  /** Branch coverage in percent when the report measured branches. */
  branchPercent?: number;
  files: FileCoverage[];
  /** The `<source>` directories file names are relative to. */
  sources: string[];
}

/**
 * coverage.py's Cobertura XML, from 3.x (no `lines-valid`, no `<sources>`) to 7.x. Totals come from
 * the root's `lines-covered`/`lines-valid` when present, else from counting the `<line>` elements.
 */
export function parseCobertura(xml: string, source = 'coverage report'): Coverage {
  const doc = parseXml(xml, source, FORMAT, ['package', 'class', 'line', 'source']);
  const root = children(doc, 'coverage')[0];
  if (!root) throw new ReportError(source, FORMAT, 'no <coverage> root element');
  const byFile = new Map<string, FileCoverage>();
  for (const pkg of children(children(root, 'packages')[0], 'package')) {
    for (const cls of children(children(pkg, 'classes')[0], 'class')) {
      const file = attr(cls, 'filename') ?? attr(cls, 'name') ?? '?';
      const entry = byFile.get(file) ?? { file, covered: 0, valid: 0, percent: 100, missing: [] };
      for (const line of children(children(cls, 'lines')[0], 'line')) {
        const hits = Number(attr(line, 'hits') ?? 0);
        entry.valid++;
        if (hits > 0) entry.covered++;
        else entry.missing.push(Number(attr(line, 'number')));
      }
      byFile.set(file, entry);
    }
  }
  const files = [...byFile.values()];
  for (const f of files) f.percent = f.valid === 0 ? 100 : (100 * f.covered) / f.valid;
  const counted = files.reduce((acc, f) => ({ covered: acc.covered + f.covered, valid: acc.valid + f.valid }), { covered: 0, valid: 0 });
  const validAttr = Number(attr(root, 'lines-valid'));
  const coveredAttr = Number(attr(root, 'lines-covered'));
  const hasTotals = Number.isInteger(validAttr) && Number.isInteger(coveredAttr) && attr(root, 'lines-valid') !== undefined;
  const covered = hasTotals ? coveredAttr : counted.covered;
  const valid = hasTotals ? validAttr : counted.valid;
  if (covered < 0 || valid < 0) throw new ReportError(source, FORMAT, `negative line totals (lines-covered ${covered}, lines-valid ${valid})`);
  if (covered > valid) throw new ReportError(source, FORMAT, `lines-covered (${covered}) is more than lines-valid (${valid})`);
  const rawRate = attr(root, 'line-rate');
  const lineRate = Number(rawRate);
  if (valid === 0 && rawRate === undefined) throw new ReportError(source, FORMAT, 'no lines and no line-rate attribute on <coverage>');
  if (valid === 0 && !(lineRate >= 0 && lineRate <= 1)) throw new ReportError(source, FORMAT, `line-rate ${rawRate} is not between 0 and 1`);
  const percent = valid > 0 ? (100 * covered) / valid : 100 * lineRate;
  const sources = children(children(root, 'sources')[0], 'source').map((n) => (typeof n['#text'] === 'string' ? n['#text'].trim() : '')).filter(Boolean);
  const result: Coverage = { covered, valid, percent, files, sources };
  const branchesValid = Number(attr(root, 'branches-valid'));
  const branchRate = Number(attr(root, 'branch-rate'));
  if (branchesValid > 0) result.branchPercent = (100 * Number(attr(root, 'branches-covered'))) / branchesValid;
  else if (attr(root, 'branches-valid') === undefined && Number.isFinite(branchRate) && /branch="true"/.test(xml)) result.branchPercent = 100 * branchRate;
  return result;
}

/** `1-3, 7, 9-10` from sorted line numbers. */
export function lineRanges(lines: number[], max = 20): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.length > max ? `${ranges.slice(0, max).join(', ')}, … (${ranges.length - max} more)` : ranges.join(', ');
}

/** Percent with two decimals, as the `coverage` output; never rounds up to 100.00 or down to 0.00 (as coverage.py does). */
export function formatPercent(percent: number): string {
  const rounded = Math.round(percent * 100) / 100;
  if (rounded >= 100 && percent < 100) return '99.99';
  if (rounded <= 0 && percent > 0) return '0.01';
  return rounded.toFixed(2);
}
