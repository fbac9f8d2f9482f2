import { defineConfig } from 'vitest/config'

// Tests start real servers and processes on a 2-core CI machine: generous timeouts, no
// assertion on speed anywhere.
export default defineConfig({
  test: {
    // The fuzz test measures the heap after a forced collection.
    execArgv: ['--expose-gc'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
