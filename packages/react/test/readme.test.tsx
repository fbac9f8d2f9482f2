// @vitest-environment happy-dom
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { LiveText } from '@accord/client'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { ComponentType } from 'react'
import { afterEach, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { cleanupAfterEach, startRelay, testClient } from './helpers.js'

cleanupAfterEach()

// Paths, not URLs: happy-dom replaces the global URL class, which node:fs then rejects.
const here = dirname(fileURLToPath(import.meta.url))
const appFile = join(here, '.readme-app.tsx')

afterEach(() => {
  rmSync(appFile, { force: true })
  vi.unstubAllGlobals()
})

it('runs the README example as written', async () => {
  const readme = readFileSync(join(here, '../README.md'), 'utf8')
  const code = readme.match(/## Example[\s\S]*?```tsx\n([\s\S]*?)```/)?.[1]
  expect(code).toBeDefined()
  const relay = await startRelay()
  vi.stubGlobal('WebSocket', WebSocket)
  // As written; only the relay's address differs.
  writeFileSync(appFile, code?.replace('ws://localhost:1234', relay.url) ?? '')
  const { App } = (await import(pathToFileURL(appFile).href)) as { App: ComponentType }
  const eventually = { timeout: 5_000 }

  render(<App />)
  const peer = testClient(relay.url).room<{ name: string }, { todos: Todo[]; notes: LiveText }>(
    'todos/demo',
  )
  peer.presence.set({ name: 'Grace' })
  await waitFor(() => expect(screen.getByText('Also here: Grace')).toBeTruthy(), eventually)

  const input = screen.getByPlaceholderText('New todo') as HTMLInputElement
  input.value = 'Buy milk'
  fireEvent.submit(input.closest('form') as HTMLFormElement)
  await waitFor(() => expect(peer.storage.snapshot().todos).toEqual([todo('Buy milk')]), eventually)

  peer.storage.root.get('todos').push(todo('Walk the dog'))
  await waitFor(() => {
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      ' Buy milk',
      ' Walk the dog',
    ])
  }, eventually)
  fireEvent.click(screen.getAllByRole('checkbox')[0] as HTMLElement)
  await waitFor(() => expect(peer.storage.snapshot().todos[0]?.done).toBe(true), eventually)

  const notes = document.querySelector('textarea') as HTMLTextAreaElement
  fireEvent.change(notes, { target: { value: 'hello' } })
  await waitFor(() => expect(peer.storage.snapshot().notes).toBe('hello'), eventually)
})

interface Todo {
  title: string
  done: boolean
}
const todo = (title: string): Todo => ({ title, done: false })
