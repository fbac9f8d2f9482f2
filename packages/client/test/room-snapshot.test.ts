import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { startRelay, testClient, uniqueRoom, useCleanup } from './helpers.js'

useCleanup()

// What synchronous readers such as @accord/react's hooks need from a room.
describe('room.snapshot()', () => {
  it('holds the JSON of every opened primitive, and stays the same object until one changes', async () => {
    const relay = await startRelay()
    const room = testClient(relay.url).room(uniqueRoom())
    expect(room.snapshot()).toEqual({})
    const todos = room.list<string>('todos')
    room.counter('votes').increment(2)
    room.value('title', 'Board')
    const first = room.snapshot()
    expect(first).toEqual({ todos: [], votes: 2, title: 'Board' })
    expect(Object.isFrozen(first)).toBe(true)
    expect(room.snapshot()).toBe(first)

    todos.push('a')
    const second = room.snapshot()
    expect(second).toEqual({ todos: ['a'], votes: 2, title: 'Board' })
    // Unchanged primitives keep their snapshot objects.
    room.map('settings')
    expect(room.snapshot().todos).toBe(second.todos)
  })

  it("emits 'change' once per changing transaction, and after a primitive is opened", async () => {
    const relay = await startRelay()
    const room = testClient(relay.url).room(uniqueRoom())
    const change = vi.fn()
    room.on('change', change)
    room.list('todos')
    // Not from inside the call that opened it (which may be a React render).
    expect(change).not.toHaveBeenCalled()
    await Promise.resolve()
    expect(change).toHaveBeenCalledTimes(1)
    room.transact(() => {
      room.list<number>('todos').push(1)
      room.counter('votes').increment()
    })
    expect(change).toHaveBeenCalledTimes(2)
  })
})

describe('room.loaded', () => {
  it('is true at once without persistence', async () => {
    const relay = await startRelay()
    expect(testClient(relay.url).room(uniqueRoom()).loaded).toBe(true)
  })

  it('turns true when the IndexedDB replica is in', async () => {
    const relay = await startRelay()
    const room = testClient(relay.url, { persistence: 'indexeddb' }).room(uniqueRoom())
    expect(room.loaded).toBe(false)
    await room.whenLoaded
    expect(room.loaded).toBe(true)
  })
})
