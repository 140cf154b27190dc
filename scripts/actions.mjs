// The actions of the suite: bundle name (dist/<name>/index.js, entry src/actions/<name>.ts) and the
// folder holding its action.yml ('.' is the root action).
export const ACTIONS = [
  { name: 'plan', dir: '.' },
  { name: 'lint', dir: 'lint' },
  { name: 'pytest', dir: 'pytest' },
  { name: 'scan', dir: 'scan' },
  { name: 'build', dir: 'build' },
  { name: 'deploy', dir: 'deploy' },
  { name: 'rollback', dir: 'rollback' },
  { name: 'notify', dir: 'notify' },
];
