import { defineConfig } from 'vitest/config'

/** Browser tests of an example: built once before the run, generous timeouts for Chromium. */
export function e2eConfig({ include, testTimeout = 60_000 }) {
  return defineConfig({
    test: {
      include,
      globalSetup: ['../e2e-support/build.js'],
      testTimeout,
      hookTimeout: 60_000,
    },
  })
}
