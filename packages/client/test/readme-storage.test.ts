import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, expect, it, vi } from 'vitest'
import type { Room } from '../src/index.js'
import { startRelay, testClient, useCleanup } from './helpers.js'

useCleanup()

const here = dirname(fileURLToPath(import.meta.url))
const exampleFile = join(here, '.readme-storage.ts')

afterEach(() => rmSync(exampleFile, { force: true }))

it('runs the README storage example as written', async () => {
  const readme = readFileSync(join(here, '../README.md'), 'utf8')
  const code = readme.match(/### Storage[\s\S]*?```ts\n([\s\S]*?)```/)?.[1]
  expect(code).toBeDefined()
  const relay = await startRelay()
  // As written; only the relay's address differs, and the test gets the room to close it.
  writeFileSync(
    exampleFile,
    `${code?.replace('ws://localhost:1234', relay.url)}\nexport { client, room }\n`,
  )
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  try {
    const { client, room } = (await import(pathToFileURL(exampleFile).href)) as {
      client: { close(): Promise<void> }
      room: Room
    }
    const peer = testClient(relay.url).room('todos/demo')
    await peer.whenSynced()
    expect(peer.storage.snapshot()).toEqual({
      todos: [{ title: 'Buy milk', done: true }],
      notes: '',
    })
    expect(room.syncStatus).toBe('saved')
    await client.close()
  } finally {
    log.mockRestore()
  }
})
