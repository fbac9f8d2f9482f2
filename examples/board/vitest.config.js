import { e2eConfig } from '../e2e-support/vitest-config.js'

export default e2eConfig({ include: ['test/**/*.test.ts'], testTimeout: 90_000 })
