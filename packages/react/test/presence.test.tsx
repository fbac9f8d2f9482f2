// @vitest-environment happy-dom
import { act, render, screen, waitFor } from '@testing-library/react'
import { type ReactNode, useEffect } from 'react'
import { describe, expect, it } from 'vitest'
import {
  AccordProvider,
  createRoomContext,
  shallow,
  useBroadcast,
  useEvent,
  useMyPresence,
  useOthers,
  useStatus,
} from '../src/index.js'
import { cleanupAfterEach, inRoom, startRelay, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

interface Cursor {
  name: string
  x: number
}

describe('presence hooks', () => {
  it('show my presence to others, and re-render a selector only for what it picked', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const renders = { names: 0, xs: 0 }
    function Names() {
      renders.names++
      const names = useOthers<Cursor, string[]>(
        (others) => others.map((o) => o.state.name),
        shallow,
      )
      return <p data-testid="names">{names.join(',')}</p>
    }
    function Xs() {
      renders.xs++
      const xs = useOthers<Cursor, number[]>((others) => others.map((o) => o.state.x), shallow)
      return <p data-testid="xs">{xs.join(',')}</p>
    }
    let move!: (partial: Partial<Cursor>) => void
    function Me() {
      const [me, update] = useMyPresence<Cursor>()
      move = update
      useEffect(() => update({ name: 'ada', x: 0 }), [update])
      return <p data-testid="me">{me?.name}</p>
    }
    render(
      inRoom(
        testClient(url),
        name,
        <>
          <Names />
          <Xs />
        </>,
      ),
    )
    render(inRoom(testClient(url), name, <Me />))
    expect(screen.getByTestId('me').textContent).toBe('ada')
    await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('ada'))
    const before = { ...renders }

    // A cursor move: only the component that selected cursors renders.
    act(() => move({ x: 10 }))
    await waitFor(() => expect(screen.getByTestId('xs').textContent).toBe('10'))
    expect(renders).toEqual({ names: before.names, xs: before.xs + 1 })

    act(() => move({ name: 'grace' }))
    await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('grace'))
    expect(renders).toEqual({ names: before.names + 1, xs: before.xs + 1 })
  })
})

describe('events', () => {
  it('deliver what useBroadcast sends to useEvent in the other tree', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const received: [unknown, string][] = []
    function Listener() {
      useEvent<{ emoji: string }>('reaction', (data, from) => received.push([data, from]))
      return <p data-testid="listener">{useStatus()}</p>
    }
    let send!: (data?: { emoji: string }) => boolean
    function Sender() {
      send = useBroadcast<{ emoji: string }>('reaction')
      return <p data-testid="sender">{useStatus()}</p>
    }
    render(inRoom(testClient(url), name, <Listener />))
    render(inRoom(testClient(url), name, <Sender />))
    await waitFor(() => expect(screen.getByTestId('listener').textContent).toBe('connected'))
    // True once the relay has answered our HELLO (events are an Accord extension).
    await waitFor(() => expect(send({ emoji: '🎉' })).toBe(true))
    await waitFor(() => expect(received).toEqual([[{ emoji: '🎉' }, '']]))
  })

  it('sets initialPresence, and reads me and one other through a typed room context', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const { RoomProvider, useSelf, useOther, useOthers, useMutation } = createRoomContext<
      Cursor,
      { clicks: number }
    >()
    let moveTo!: (x: number) => void
    function Me() {
      const self = useSelf()
      moveTo = useMutation(({ setMyPresence, storage, self }, x: number) => {
        setMyPresence({ x })
        storage.set('clicks', (self?.x ?? 0) + 1)
      }, [])
      return <p data-testid="me">{`${self?.state.name} ${self?.connectionId !== undefined}`}</p>
    }
    const renders = { x: 0 }
    function OtherX({ connectionId }: { connectionId: number }) {
      renders.x++
      return <p data-testid="x">{useOther(connectionId, (other) => other.x)}</p>
    }
    function Others() {
      const ids = useOthers((others) => others.map((other) => other.connectionId), shallow)
      return ids.map((id) => <OtherX key={id} connectionId={id} />)
    }
    const tree = (id: string, ui: ReactNode) => (
      <AccordProvider client={testClient(url)}>
        <RoomProvider name={name} initialPresence={{ name: id, x: 0 }}>
          {ui}
        </RoomProvider>
      </AccordProvider>
    )
    render(tree('ada', <Me />))
    render(tree('bob', <Others />))
    await waitFor(() => expect(screen.getByTestId('me').textContent).toBe('ada true'))
    await waitFor(() => expect(screen.getByTestId('x').textContent).toBe('0'))
    const before = renders.x
    act(() => moveTo(5))
    await waitFor(() => expect(screen.getByTestId('x').textContent).toBe('5'))
    expect(renders.x).toBe(before + 1)
  })
})
