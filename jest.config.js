// Unit tests (src/**/*.spec.ts) and end-to-end tests (test/**/*.e2e-spec.ts), all against a real PostgreSQL.
// ts-jest transpiles each file alone (tsconfig's isolatedModules): type checking is `npm run check`'s job.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // A few dependencies ship as ES modules only; Jest on Node 20 needs them compiled to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/web/**/*.spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
