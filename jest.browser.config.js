// The browser suite (`npm run test:browser`): the pages in Debian's Chromium through playwright-core,
// against the real service and PostgreSQL. Kept apart so that `npm test` runs without a browser.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test-browser/**/*.browser-spec.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
};
