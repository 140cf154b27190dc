import { runAction } from '../github/action.js';
import { notify } from '../notify/main.js';

await runAction(notify);
