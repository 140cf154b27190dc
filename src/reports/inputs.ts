import { listInput, optionalInput } from '../github/inputs.js';
import { parseToolList } from './gates.js';

/**
 * An input with its action.yml default applied when the variable is absent altogether (a local
 * run, the test harness), while an input set to empty on purpose stays empty: the runner always
 * passes declared defaults, so absent only happens outside it.
 */
export function inputWithDefault(name: string, fallback: string): string | undefined {
  const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
  return process.env[variable] === undefined ? fallback : optionalInput(name);
}

export function listInputWithDefault(name: string, fallback: string): string[] {
  const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
  return process.env[variable] === undefined ? fallback.split(',').map((s) => s.trim()).filter(Boolean) : listInput(name);
}

/**
 * Which tools the action runs. A report given means that tool is read, never run. `auto` (the
 * default) runs every tool when no report at all is given and none when any is, so an action given
 * only reports stands alone (no installs, no network); `always` are tools asked for by another
 * input (Trivy by `image-ref`); `otherReports` counts reports of no runnable tool (pytest's coverage). A list runs exactly the tools listed that have no report; empty runs
 * nothing.
 */
export function toolsToRun<T extends string>(
  allowed: readonly T[],
  reports: Partial<Record<T, string | undefined>>,
  options: { always?: readonly T[]; otherReports?: boolean } = {},
): T[] {
  const { always = [], otherReports = false } = options;
  const values = listInputWithDefault('run', 'auto');
  const hasReport = (t: T) => reports[t] !== undefined;
  if (values.length === 1 && values[0] === 'auto') {
    const anyReport = otherReports || allowed.some(hasReport);
    return allowed.filter((t) => !hasReport(t) && (!anyReport || always.includes(t)));
  }
  return parseToolList('run', values, allowed).filter((t) => !hasReport(t));
}
