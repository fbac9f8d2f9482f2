// Vitest globalSetup for the examples: builds the example with Vite before its browser tests,
// so they always run against the current source (the server serves `dist/`).
import { build } from 'vite'

export default async function setup(project) {
  // Vitest sets NODE_ENV=test, which would make Vite emit a development build.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({ root: project.config.root, mode: 'production', logLevel: 'warn' })
  } finally {
    process.env.NODE_ENV = nodeEnv
  }
}
