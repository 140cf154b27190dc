import { runMain, runPost } from '../deploy/action.js';
import { runAction } from '../github/action.js';

await runAction(() => runMain('rollback'), runPost);
