// @vitest-environment happy-dom
import type { Room } from '@accord/client'
import { render, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { RoomProvider, useCounter, useRoom, useStatus, useSyncStatus } from '../src/index.js'
import { cleanupAfterEach, inRoom, startRelay, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

/** `ws`, counting the sockets the client creates. */
function countingWebSocket() {
  const counted = { sockets: 0 }
  class CountingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      counted.sockets++
    }
  }
  return { counted, WebSocket: CountingWebSocket }
}

describe('RoomProvider', () => {
  it('opens one socket under StrictMode and closes it on unmount', async () => {
    const { app, url } = await startRelay()
    const { counted, WebSocket } = countingWebSocket()
    const rooms = new Set<Room>()
    function Status() {
      rooms.add(useRoom())
      const [votes] = useCounter('votes')
      return (
        <p data-testid="status">
          {useStatus()} {useSyncStatus()} {votes}
        </p>
      )
    }
    const { unmount } = render(
      <StrictMode>{inRoom(testClient(url, { WebSocket }), uniqueRoom(), <Status />)}</StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected saved 0'))
    const [room] = rooms
    await room?.whenSynced()
    expect(rooms.size).toBe(1)
    expect(counted.sockets).toBe(1)
    expect(app.accord.connections).toBe(1)

    unmount()
    await waitFor(() => expect(app.accord.connections).toBe(0))
    expect(room?.status).toBe('closed')
    expect(counted.sockets).toBe(1)
  })

  it('shares one room between providers of the same name, until the last unmounts', async () => {
    const { app, url } = await startRelay()
    const client = testClient(url)
    const name = uniqueRoom()
    function Status({ id }: { id: string }) {
      return <p data-testid={id}>{useStatus()}</p>
    }
    const first = render(inRoom(client, name, <Status id="first" />))
    const second = render(inRoom(client, name, <Status id="second" />))
    await waitFor(() => expect(screen.getByTestId('second').textContent).toBe('connected'))
    const room = client.room(name)
    expect(app.accord.connections).toBe(1)

    first.unmount()
    // The release is deferred by a task: let it run, the room must survive it.
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(room.status).toBe('connected')
    expect(client.room(name)).toBe(room)

    second.unmount()
    await waitFor(() => expect(room.status).toBe('closed'))
    await waitFor(() => expect(app.accord.connections).toBe(0))
  })

  it('says clearly when a hook is used outside its provider', () => {
    function Orphan() {
      useCounter('votes')
      return null
    }
    const quiet = console.error
    console.error = () => {}
    try {
      expect(() => render(<Orphan />)).toThrow(/inside <RoomProvider/)
      expect(() => render(<RoomProvider name="x" />)).toThrow(/inside <AccordProvider>/)
    } finally {
      console.error = quiet
    }
  })
})
