/** Jest runs TypeScript through swc (type-checking is `npm run typecheck`). */
module.exports = {
  testEnvironment: '<rootDir>/test/support/node-realm-environment.js',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/env.js'],
  testTimeout: 30000,
};
