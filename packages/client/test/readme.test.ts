// @vitest-environment happy-dom
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import type { Room } from '../src/index.js'
import { startRelay, testClient, useCleanup } from './helpers.js'

useCleanup()

// Paths, not URLs: happy-dom replaces the global URL class, which node:fs then rejects.
const here = dirname(fileURLToPath(import.meta.url))
const readme = readFileSync(join(here, '../README.md'), 'utf8')
const block = (language: string): string => {
  const match = readme.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``))
  if (!match?.[1]) throw new Error(`no ${language} block in the README`)
  return match[1]
}
const appFile = join(here, '.readme-app.js')

afterEach(() => {
  rmSync(appFile, { force: true })
  vi.unstubAllGlobals()
})

it('runs the README example as written', async () => {
  const code = block('js')
  expect(code.split('\n').filter((line) => line.trim() !== '').length).toBeLessThan(30)
  const relay = await startRelay()
  vi.stubGlobal('WebSocket', WebSocket)
  // The test loads app.js itself (happy-dom does not load scripts).
  document.body.innerHTML = block('html').replace(/<script[^>]*><\/script>/, '')
  // The example as written; only the relay's address differs, and the test gets the room to close it.
  writeFileSync(appFile, `${code.replace('ws://localhost:1234', relay.url)}\nexport { room }\n`)
  const { room } = (await import(pathToFileURL(appFile).href)) as { room: Room }
  const $ = <E extends Element>(selector: string) => document.querySelector(selector) as E

  const peer = testClient(relay.url).room('demo')
  const eventually = { timeout: 5_000, interval: 10 }
  try {
    $<HTMLButtonElement>('#vote').click()
    $<HTMLButtonElement>('#vote').click()
    expect($('#votes').textContent).toBe('2')
    $<HTMLInputElement>('input[name=title]').value = 'buy milk'
    $<HTMLFormElement>('#add').dispatchEvent(new Event('submit', { cancelable: true }))
    expect($('#todos').textContent).toBe(' buy milk')

    await vi.waitFor(() => {
      expect(peer.counter('votes').get()).toBe(2)
      expect(peer.list('todos').get()).toEqual([{ title: 'buy milk', done: false }])
    }, eventually)
    const box = $<HTMLInputElement>('#todos input[type=checkbox]')
    box.checked = true
    box.dispatchEvent(new Event('change'))
    await vi.waitFor(
      () => expect(peer.list('todos').get()).toEqual([{ title: 'buy milk', done: true }]),
      eventually,
    )

    peer.counter('votes').increment()
    peer.list('todos').push({ title: 'call mum', done: false })
    await vi.waitFor(() => {
      expect($('#votes').textContent).toBe('3')
      expect($('#todos').textContent).toBe(' buy milk call mum')
    }, eventually)
    await room.whenSaved()
    expect(room.syncStatus).toBe('saved')
  } finally {
    await room.close()
  }
})
