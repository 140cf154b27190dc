// ESM + TypeScript through ts-jest (type checking is `npm run typecheck`'s job, so transpile only).
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  // fixtures include ruff's insta .snap files, which jest would take for its own obsolete snapshots
  modulePathIgnorePatterns: ['<rootDir>/test/fixtures/', '<rootDir>/test/.*/fixtures/', '<rootDir>/dist/', '<rootDir>/lib/'],
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.(integration|e2e)\\.test\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.integration.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.test.ts'] },
  ],
};
