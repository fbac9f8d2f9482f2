// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { render, screen } from '@testing-library/react'
import { Suspense } from 'react'
import { describe, expect, it } from 'vitest'
import { useList as useListNow, useRoomLoaded } from '../src/index.js'
import { useList } from '../src/suspense.js'
import { cleanupAfterEach, inRoom, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

// Nothing listens here: the replica can only come from IndexedDB, never from a relay.
const offline = 'ws://127.0.0.1:9'

/** A room whose local replica (IndexedDB) holds one todo. */
async function storedRoom(): Promise<string> {
  const name = uniqueRoom()
  const client = testClient(offline, { persistence: 'indexeddb' })
  const room = client.room(name)
  await room.whenLoaded
  room.list<string>('todos').push('buy milk')
  await client.close()
  return name
}

describe('loading', () => {
  it('suspense hooks suspend until the local replica is loaded, then render it', async () => {
    const name = await storedRoom()
    const seen: (readonly string[])[] = []
    function Todos() {
      const todos = useList<string>('todos')
      seen.push(todos)
      return <p>{todos.join(',')}</p>
    }
    render(
      inRoom(
        testClient(offline, { persistence: 'indexeddb' }),
        name,
        <Suspense fallback={<p>loading</p>}>
          <Todos />
        </Suspense>,
      ),
    )
    expect(screen.getByText('loading')).toBeTruthy()
    expect(seen).toEqual([])
    await screen.findByText('buy milk')
    expect(seen.every((todos) => todos.join() === 'buy milk')).toBe(true)
  })

  it('main hooks render the empty value at once and useRoomLoaded tells when it is in', async () => {
    const name = await storedRoom()
    const seen: string[] = []
    function Todos() {
      const todos = useListNow<string>('todos')
      const loaded = useRoomLoaded()
      seen.push(`${loaded}:${todos.join()}`)
      return <p>{loaded ? todos.join() : 'loading'}</p>
    }
    render(inRoom(testClient(offline, { persistence: 'indexeddb' }), name, <Todos />))
    expect(seen).toEqual(['false:'])
    await screen.findByText('buy milk')
    expect(seen.at(-1)).toBe('true:buy milk')
  })
})
