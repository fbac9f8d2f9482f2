import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['../e2e-support/build.js'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
})
