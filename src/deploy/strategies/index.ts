import type { Strategy } from '../../config/types.js';
import { blueGreen } from './blue-green.js';
import { rolling } from './rolling.js';
import type { DeployStrategy } from './strategy.js';

/** Every strategy by its config name; a new one (canary) is one more module and one more entry. */
const STRATEGIES: Record<Strategy, DeployStrategy> = { rolling, 'blue-green': blueGreen };

export function strategyFor(name: Strategy): DeployStrategy {
  return STRATEGIES[name];
}
