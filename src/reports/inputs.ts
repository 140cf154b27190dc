import { listInput, optionalInput } from '../github/inputs.js';

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
