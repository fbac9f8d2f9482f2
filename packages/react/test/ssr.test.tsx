// @vitest-environment node
import { LiveText } from '@accord/client'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import {
  AccordProvider,
  RoomProvider,
  useCanUndo,
  useCounter,
  useList,
  useMyPresence,
  useOthers,
  useRoomLoaded,
  useSelector,
  useSelf,
  useStatus,
  useStorage,
  useSyncStatus,
  useText,
  useValue,
} from '../src/index.js'
import { useList as useSuspendingList } from '../src/suspense.js'
import { cleanupAfterEach, startRelay, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

function Page() {
  const [title] = useValue('title', 'Untitled')
  const todos = useList<string>('todos')
  const [notes] = useText('notes')
  const [votes] = useCounter('votes')
  const [me] = useMyPresence()
  const others = useOthers()
  const whole = useSelector((root) => root)
  const suspending = useSuspendingList('todos')
  const state = [
    title,
    todos.length,
    notes,
    votes,
    me,
    others.length,
    whole,
    suspending.length,
    useStatus(),
    useSyncStatus(),
    useRoomLoaded(),
    useCanUndo(),
  ]
  return <pre>{JSON.stringify(state)}</pre>
}

const initial = JSON.stringify([
  'Untitled',
  0,
  '',
  0,
  null,
  0,
  {},
  0,
  'connecting',
  'saved',
  false,
  false,
])

describe('server rendering', () => {
  it('renders initial values and opens no room and no socket', async () => {
    const { app, url } = await startRelay()
    const client = testClient(url)
    // The room already holds data: the server must not fetch it.
    const room = vi.spyOn(client, 'room')
    const html = renderToString(
      <AccordProvider client={client}>
        <RoomProvider name={uniqueRoom()}>
          <Page />
        </RoomProvider>
      </AccordProvider>,
    )
    expect(html).toBe(`<pre>${initial.replaceAll('"', '&quot;')}</pre>`)
    expect(room).not.toHaveBeenCalled()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(app.accord.connections).toBe(0)
  })

  it('creates no client from url props (Node 20 has no WebSocket to create one with)', () => {
    const html = renderToString(
      <AccordProvider url="ws://127.0.0.1:1">
        <RoomProvider name="anything">
          <Page />
        </RoomProvider>
      </AccordProvider>,
    )
    expect(html).toContain('Untitled')
  })

  it('selects storage from initialStorage, or from an empty storage without it', () => {
    function Todos() {
      const titles = useStorage(
        (root: { todos?: readonly { title: string }[]; notes?: string }) =>
          `${root.todos?.map((todo) => todo.title).join('|') ?? 'none'} ${root.notes ?? ''}`,
      )
      return <p>{`${titles} ${useSelf() === null}`}</p>
    }
    const page = (initialStorage?: object) =>
      renderToString(
        <AccordProvider url="ws://127.0.0.1:1">
          <RoomProvider name="anything" initialStorage={initialStorage} initialPresence={{ x: 1 }}>
            <Todos />
          </RoomProvider>
        </AccordProvider>,
      )
    expect(page({ todos: [{ title: 'a' }], notes: new LiveText('hi') })).toBe('<p>a hi true</p>')
    expect(page()).toBe('<p>none  true</p>')
  })
})
