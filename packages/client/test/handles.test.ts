import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('close() leaves no timers or sockets: Node exits by itself', async () => {
  const script = fileURLToPath(new URL('./fixtures/open-and-close.mjs', import.meta.url))
  // Runs the built package (`npm run build` first): the test runner keeps its own handles.
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = execFile(
        process.execPath,
        [script],
        { timeout: 15_000 },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      )
    },
  )
  expect(result.stderr).not.toMatch(/Error/)
  expect(result.stdout).toContain('closed')
  expect(result.code).toBe(0)
}, 20_000)
