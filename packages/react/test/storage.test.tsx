// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { type AccordError, type Client, idsOf, LiveText } from '@accord/client'
import { act, render, screen, waitFor } from '@testing-library/react'
import { memo, type ReactNode } from 'react'
import { describe, expect, it } from 'vitest'
import {
  AccordProvider,
  createRoomContext,
  RoomProvider,
  useErrorListener,
  useMutation,
  useStorage,
} from '../src/index.js'
import { cleanupAfterEach, startRelay, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

interface Todo {
  title: string
  done: boolean
}
// An interface, declared once for every hook of the package.
interface TodoStorage {
  todos: Todo[]
  notes: LiveText
}
declare global {
  interface AccordTypes {
    Storage: TodoStorage
  }
}

const eventually = { timeout: 3_000 }
const todos = (count: number): Todo[] =>
  Array.from({ length: count }, (_, i) => ({ title: `todo ${i}`, done: false }))

function withStorage(client: Client, name: string, initial: Partial<TodoStorage>, ui: ReactNode) {
  return (
    <AccordProvider client={client}>
      <RoomProvider name={name} initialStorage={initial}>
        {ui}
      </RoomProvider>
    </AccordProvider>
  )
}

describe('useStorage', () => {
  it('re-renders only the row whose todo changed, locally and from another client', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const renders = new Array<number>(10).fill(0)
    const Row = memo(function Row({ index }: { index: number }) {
      renders[index] = (renders[index] ?? 0) + 1
      const todo = useStorage((root) => root.todos[index])
      return <li data-testid={`row ${index}`}>{todo?.title}</li>
    })
    let rename!: (index: number, title: string) => void
    function List() {
      const count = useStorage((root) => root.todos.length)
      rename = useMutation(({ storage }, index: number, title: string) => {
        storage.get('todos').get(index)?.set('title', title)
      }, [])
      return (
        <ul>
          {Array.from({ length: count }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are the list's slots here
            <Row key={i} index={i} />
          ))}
        </ul>
      )
    }
    render(withStorage(testClient(url), name, { todos: todos(10) }, <List />))
    const other = testClient(url).room<object, TodoStorage>(name)
    await other.whenSynced()
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(10), eventually)
    const before = [...renders]

    act(() => rename(7, 'local'))
    expect(screen.getByTestId('row 7').textContent).toBe('local')
    expect(renders[7]).toBe((before[7] ?? 0) + 1)
    expect(renders[3]).toBe(before[3])

    // After the local edit arrived, so that this one is later, not concurrent.
    await waitFor(() => expect(other.storage.snapshot().todos[7]?.title).toBe('local'), eventually)
    other.storage.root.get('todos').get(7)?.set('title', 'remote')
    await waitFor(() => expect(screen.getByTestId('row 7').textContent).toBe('remote'), eventually)
    expect(renders[7]).toBe((before[7] ?? 0) + 2)
    expect(renders.filter((_, i) => i !== 7)).toEqual(before.filter((_, i) => i !== 7))
  })

  it('seeds initialStorage once when two clients open a new room at once', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const initial = { todos: todos(2), notes: new LiveText('hello') }
    function Summary({ id }: { id: string }) {
      const titles = useStorage((root) => root.todos.map((todo) => todo.title).join('|'))
      const notes = useStorage((root) => root.notes)
      return <p data-testid={id}>{`${titles} ${notes}`}</p>
    }
    const clients = [testClient(url), testClient(url)]
    render(withStorage(clients[0] as Client, name, initial, <Summary id="a" />))
    render(withStorage(clients[1] as Client, name, initial, <Summary id="b" />))
    await Promise.all(clients.map((client) => client.room(name).whenSynced()))
    await waitFor(() => {
      for (const id of ['a', 'b']) {
        expect(screen.getByTestId(id).textContent).toBe('todo 0|todo 1 hello')
      }
    }, eventually)
    const stored = clients.map((client) => client.room<object, TodoStorage>(name).storage)
    expect(stored[0]?.root.get('todos').length).toBe(2)
    expect(stored[1]?.root.get('todos').ids()).toEqual(stored[0]?.root.get('todos').ids())
  })

  it('selects from initialStorage, with the same item ids, until the local replica is loaded', async () => {
    const { url } = await startRelay()
    const seen: string[] = []
    function Ids() {
      const ids = useStorage((root) => idsOf(root.todos).join())
      seen.push(ids)
      return <p>{ids}</p>
    }
    // With IndexedDB (fake-indexeddb here), the replica loads after the first render.
    const client = testClient(url, { persistence: 'indexeddb' })
    const name = uniqueRoom()
    render(withStorage(client, name, { todos: todos(3) }, <Ids />))
    await client.room(name).whenLoaded
    await client.room(name).whenSynced()
    expect(seen[0]?.split(',')).toHaveLength(3)
    expect(new Set(seen)).toEqual(new Set([seen[0]]))
  })
})

describe('useMutation', () => {
  it('edits fields of one item from two clients and keeps both, in one transaction each', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const edits: ((patch: Partial<Todo>) => void)[] = []
    function Editor({ id }: { id: string }) {
      const todo = useStorage((root) => root.todos[0])
      edits.push(
        useMutation(({ storage }, patch: Partial<Todo>) => {
          const item = storage.get('todos').get(0)
          if (patch.title !== undefined) item?.set('title', patch.title)
          if (patch.done !== undefined) item?.set('done', patch.done)
        }, []),
      )
      return <p data-testid={id}>{`${todo?.title} ${todo?.done}`}</p>
    }
    const a = testClient(url)
    render(withStorage(a, name, { todos: todos(1) }, <Editor id="a" />))
    const editA = edits.at(-1)
    render(withStorage(testClient(url), name, { todos: todos(1) }, <Editor id="b" />))
    const editB = edits.at(-1)
    act(() => {
      editA?.({ title: 'renamed' })
      editB?.({ done: true })
    })
    await waitFor(() => {
      expect(screen.getByTestId('a').textContent).toBe('renamed true')
      expect(screen.getByTestId('b').textContent).toBe('renamed true')
    }, eventually)

    const updates: Uint8Array[] = []
    a.room(name).doc.on('update', (update: Uint8Array) => updates.push(update))
    act(() => editA?.({ title: 'again', done: false }))
    expect(updates).toHaveLength(1)
  })
})

describe('useErrorListener', () => {
  it('hears that the room stores another shape than initialStorage declares', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const first = testClient(url).room<object, { todos: unknown }>(name, {
      initialStorage: { todos: [] },
    })
    await first.whenSaved()
    const errors: AccordError[] = []
    function Listener() {
      useErrorListener((error) => errors.push(error))
      return null
    }
    render(
      <AccordProvider client={testClient(url)}>
        <ShapeClash name={name}>
          <Listener />
        </ShapeClash>
      </AccordProvider>,
    )
    await waitFor(() => expect(errors.map((e) => e.code)).toContain('shape-mismatch'), eventually)
  })
})

/**
 * A room typed by `createRoomContext` whose `todos` is an object, where the room holds a list.
 * (Both defaults are written before the relay's data arrives; these two merge to the list.)
 */
const clash = createRoomContext<{ name: string }, { todos: { open?: number } }>()
function ShapeClash({ name, children }: { name: string; children: ReactNode }) {
  return (
    <clash.RoomProvider name={name} initialStorage={{ todos: {} }}>
      {children}
    </clash.RoomProvider>
  )
}
