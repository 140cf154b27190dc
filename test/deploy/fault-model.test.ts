// The fault model (issue 13): generated fleets of 1–7 hosts, both strategies (blue-green also with
// the idle color kept running, from a seed running both colors), batch sizes as numbers
// and percentages, max-failed-hosts, deploys and rollbacks, and a fault at any numbered remote step
// of any host (fail, fail after the command ran, time out, never return: the run is killed) or a
// cancel at any step; with or without the app's env (env files per release) and hooks (one of them
// failing); after the run and its post step every invariant must hold.
import fc from 'fast-check';
import { runScenario, violations, type Scenario } from '../../testkit/fault-model.js';

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    hosts: fc.integer({ min: 1, max: 7 }),
    strategy: fc.constantFrom('rolling' as const, 'blue-green' as const),
    batchSize: fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 100 }).map((p) => `${p}%`)),
    maxFailedHosts: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom('deploy' as const, 'deploy' as const, 'rollback' as const),
    rollbackTo: fc.constantFrom('previous', 'v1'),
    history: fc.constantFrom<string[]>([], ['v1'], ['v1', 'v2']),
    unhealthy: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }),
    migrate: fc.boolean(),
    badMigration: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    faults: fc.array(fc.record({ host: fc.integer({ min: 0, max: 6 }), step: fc.integer({ min: 1, max: 45 }), kind: fc.constantFrom('fail' as const, 'drop' as const, 'timeout' as const, 'hang' as const) }), { maxLength: 1 }),
    cancelAt: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
    env: fc.boolean(),
    hooks: fc.boolean(),
    failingHook: fc.option(fc.constantFrom('pre-deploy' as const, 'pre-migrate' as const, 'post-deploy' as const, 'post-rollback' as const), { nil: undefined }),
    idleRunning: fc.boolean(),
  })
  .map((s) => ({
    ...s,
    // a rollback needs a release to go back to on every host; a seed running both colors needs two releases
    history: s.kind === 'rollback' || (s.idleRunning && s.strategy === 'blue-green') ? ['v1', 'v2'] : s.history,
    idleRunning: s.idleRunning && s.strategy === 'blue-green',
    unhealthy: s.unhealthy.filter((h) => h < s.hosts),
    faults: s.faults.filter((f) => f.host < s.hosts),
  }));

// cases the generator once found: each stays, whatever the seed
const found: Scenario[] = [
  // keep-idle-color: running, both colors up: the first running color was taken for the live one, and the serving color was removed before the switch
  { hosts: 1, strategy: 'blue-green', batchSize: '48%', maxFailedHosts: 1, kind: 'deploy', rollbackTo: 'v1', history: ['v1', 'v2'], unhealthy: [], migrate: false, badMigration: false, faults: [], cancelAt: 5, env: true, hooks: false, failingHook: 'pre-deploy', idleRunning: true },
  // the record step of a switched host failed; pruning then removed the env file of what served
  { hosts: 5, strategy: 'blue-green', batchSize: '6%', maxFailedHosts: 2, kind: 'deploy', rollbackTo: 'previous', history: ['v1', 'v2'], unhealthy: [2, 4], migrate: false, badMigration: false, faults: [{ host: 3, step: 13, kind: 'fail' }], cancelAt: undefined, env: true, hooks: false, failingHook: 'pre-migrate' },
];

test.each(found.map((s) => [JSON.stringify(s), s] as const))('found case %s keeps every invariant', async (_name, s) => {
  const outcome = await runScenario(s);
  expect(violations(s, outcome)).toEqual([]);
});

const RUNS = Number(process.env.FAULT_MODEL_RUNS ?? 1000);

test(`every invariant holds after the run and its post step (${RUNS} generated cases)`, async () => {
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const outcome = await runScenario(s);
      const problems = violations(s, outcome);
      if (problems.length) throw new Error(`${problems.join('\n')}\n--- log ---\n${outcome.log.join('\n')}`);
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
  console.log(`fault model: ${RUNS} cases in ${Date.now() - started} ms`);
}, 120_000);
