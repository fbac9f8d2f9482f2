import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, expect, it, vi } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const exampleFile = join(here, '.readme-example.ts')

afterEach(() => rmSync(exampleFile, { force: true }))

it('runs the README example as written', async () => {
  const readme = readFileSync(join(here, '../README.md'), 'utf8')
  const code = readme.match(/```ts\n([\s\S]*?)```/)?.[1]
  expect(code).toBeDefined()
  writeFileSync(exampleFile, `${code}\nexport { storage }\n`)
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  const { storage } = await import(pathToFileURL(exampleFile).href)
  expect(log).toHaveBeenCalledWith('Write docs', [expect.stringMatching(/^\d+\.\d+$/)])
  expect(storage.snapshot()).toEqual({
    columns: ['todo', 'done'],
    cards: [{ title: 'Write docs', column: 'done', done: true, notes: 'draft' }],
  })
  log.mockRestore()
})
