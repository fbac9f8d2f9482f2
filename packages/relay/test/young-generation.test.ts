import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The CLI's first import (built: dist/young-generation.js), in a fresh Node process each time: after
// allocating ~100 MB of short- and long-lived objects, how large is V8's new space?

const MODULE = fileURLToPath(new URL('../dist/young-generation.js', import.meta.url))
const PROGRAM = `
  await import(process.env.MODULE)
  const { getHeapSpaceStatistics } = await import('node:v8')
  const kept = []
  for (let i = 0; i < 3e6; i++) { const o = { i, a: [i] }; if (i % 10 === 0) kept.push(o) }
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
  console.log(space.space_size / 1048576)
`

function newSpaceMB(nodeFlags: string[]): number {
  const out = execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', PROGRAM], {
    env: { ...process.env, MODULE, NODE_OPTIONS: '' },
  })
  return Number(out.toString().trim())
}

describe('the CLI’s young-generation setting', () => {
  it('keeps the new space at its initial size, unless the operator sized it', () => {
    expect(newSpaceMB([])).toBeLessThanOrEqual(4)
    // An operator's own limit stands: the new space grows to it (2 × 8 MB), not frozen at 2 MB.
    expect(newSpaceMB(['--max-semi-space-size=8'])).toBe(16)
  })
})
