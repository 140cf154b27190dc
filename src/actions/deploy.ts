import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';

await runAction(async () => {
  throw new UserError('the deploy action is not yet available in this version of parking-ci');
});
