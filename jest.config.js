// Unit tests (src/**/*.spec.ts) and end-to-end tests (test/**/*.e2e-spec.ts), all against a real PostgreSQL.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, '^.+\\.js$': swc },
  // A few dependencies ship as ES modules only; Jest on Node 20 needs them compiled to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
