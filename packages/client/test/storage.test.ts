import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { type AccordError, idsOf, LiveText, type Room } from '../src/index.js'
import { startRelay, testClient, uniqueRoom, useCleanup } from './helpers.js'

useCleanup()

const eventually = { timeout: 5_000, interval: 10 }

interface Todo {
  title: string
  done: boolean
}
interface Board {
  todos: Todo[]
  columns: string[]
  notes: LiveText
}
const initialStorage: Board = {
  todos: [
    { title: 'Buy milk', done: false },
    { title: 'Walk dog', done: false },
  ],
  columns: ['todo', 'doing', 'done'],
  notes: new LiveText(''),
}

async function peers(count: number, name = uniqueRoom('storage')) {
  const relay = await startRelay()
  const rooms = Array.from({ length: count }, () =>
    testClient(relay.url).room<object, Board>(name, { initialStorage }),
  )
  await Promise.all(rooms.map((room) => room.whenSynced()))
  return { relay, rooms, name }
}

/** Waits until every room holds the same storage, and returns it. */
async function converged(rooms: Room<object, Board>[]) {
  await Promise.all(rooms.map((room) => room.whenSaved()))
  await expect
    .poll(() => rooms.map((room) => JSON.stringify(room.storage.snapshot())), eventually)
    .toSatisfy((all: string[]) => all.every((json) => json === all[0]))
  return rooms[0]?.storage.snapshot() as ReturnType<Room<object, Board>['storage']['snapshot']>
}

describe('nested storage through the relay', () => {
  it('keeps both edits when two clients change different fields of one item while offline', async () => {
    const { relay, rooms } = await peers(2)
    const [a, b] = rooms as [Room<object, Board>, Room<object, Board>]
    await relay.stop()
    a.storage.root.get('todos').get(1)?.set('title', 'Buy oat milk')
    b.storage.root.get('todos').get(1)?.set('done', true)
    await relay.restart()
    const storage = await converged(rooms)
    expect(storage.todos).toEqual([
      { title: 'Buy milk', done: false },
      { title: 'Buy oat milk', done: true },
    ])
    expect(a.storage.root.get('todos').type.length).toBe(2)
  })

  it('keeps a move and a concurrent edit of the same item', async () => {
    const { relay, rooms } = await peers(2)
    const [a, b] = rooms as [Room<object, Board>, Room<object, Board>]
    await relay.stop()
    a.storage.root.get('todos').move(0, 1)
    b.storage.root.get('todos').get(0)?.set('done', true)
    await relay.restart()
    expect((await converged(rooms)).todos).toEqual([
      { title: 'Walk dog', done: false },
      { title: 'Buy milk', done: true },
    ])
  })

  it('keeps an item deleted while another client edits it deleted', async () => {
    const { relay, rooms } = await peers(2)
    const [a, b] = rooms as [Room<object, Board>, Room<object, Board>]
    await relay.stop()
    a.storage.root.get('todos').get(0)?.set('title', 'Buy bread')
    b.storage.root.get('todos').delete(0)
    await relay.restart()
    expect((await converged(rooms)).todos).toEqual([{ title: 'Walk dog', done: false }])
  })

  it('seeds a new room once, however many clients open it at once, online or offline', async () => {
    const relay = await startRelay()
    const name = uniqueRoom('seed')
    await relay.stop()
    const offline = [1, 2].map(() =>
      testClient(relay.url).room<object, Board>(name, { initialStorage }),
    )
    await relay.restart()
    const online = [1, 2].map(() =>
      testClient(relay.url).room<object, Board>(name, { initialStorage }),
    )
    const storage = await converged([...offline, ...online])
    expect(storage.columns).toEqual(['todo', 'doing', 'done'])
    expect(storage.todos).toHaveLength(2)
  })

  it('reports a key that one client keeps as a list and another as a map', async () => {
    const relay = await startRelay()
    const name = uniqueRoom('clash')
    const a = testClient(relay.url).room(name)
    a.list<string>('todos').push('milk')
    await a.whenSaved()
    const b = testClient(relay.url).room(name)
    const errors: AccordError[] = []
    b.on('error', (error) => errors.push(error))
    b.map<Record<string, string>>('todos')
    await b.whenSynced()
    await expect.poll(() => errors.map((e) => e.code), eventually).toContain('shape-mismatch')
    expect(errors[0]?.message).toMatch(/"todos" .* holds sequence data, .* opened it as a map/)
  })

  it('reports storage of another shape than initialStorage declares', async () => {
    const relay = await startRelay()
    const name = uniqueRoom('clash')
    const a = testClient(relay.url).room<object, { todos: unknown }>(name, {
      initialStorage: { todos: [] },
    })
    await a.whenSaved()
    const b = testClient(relay.url).room<object, { todos: unknown }>(name, {
      initialStorage: { todos: {} },
    })
    const errors: AccordError[] = []
    b.on('error', (error) => errors.push(error))
    await b.whenSynced()
    await expect.poll(() => errors.map((e) => e.code), eventually).toContain('shape-mismatch')
    expect(b.storage.snapshot()).toEqual({ todos: [] })
  })

  it('is readable by a stock y-websocket client', async () => {
    const { relay, rooms, name } = await peers(1)
    await rooms[0]?.whenSaved()
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(relay.url, name, doc, { WebSocketPolyfill: WebSocket })
    try {
      await expect.poll(() => provider.synced, eventually).toBe(true)
      const todos = doc.getMap('storage').get('todos') as Y.Array<Y.Map<unknown>>
      expect(todos.length).toBe(2)
      expect(doc.getMap('accord').get('schema')).toBe(1)
    } finally {
      provider.destroy()
    }
  })

  it('undoes nested edits and moves, and only its own', async () => {
    const { rooms } = await peers(2)
    const [a, b] = rooms as [Room<object, Board>, Room<object, Board>]
    a.storage.root.get('todos').get(0)?.set('title', 'Buy bread')
    a.history.stopCapturing()
    a.storage.root.get('todos').move(0, 1)
    b.storage.root.get('todos').get(1)?.set('done', true)
    await converged(rooms)
    a.history.undo()
    expect(a.storage.snapshot().todos.map((t) => t.title)).toEqual(['Buy bread', 'Walk dog'])
    a.history.undo()
    expect(a.storage.snapshot().todos).toEqual([
      { title: 'Buy milk', done: false },
      { title: 'Walk dog', done: true },
    ])
    expect(a.history.canUndo()).toBe(false)
  })

  it('converges over random edits of three clients with relay outages (fast-check)', async () => {
    const relay = await startRelay()
    const op = fc.record({
      who: fc.nat(2),
      kind: fc.constantFrom('insert', 'delete', 'move', 'title', 'done', 'outage'),
      at: fc.nat(6),
      to: fc.nat(6),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const name = uniqueRoom('random')
        const rooms = [0, 1, 2].map(() =>
          testClient(relay.url).room<object, Board>(name, { initialStorage }),
        )
        let down = false
        for (const { who, kind, at, to } of ops) {
          const todos = (rooms[who] as Room<object, Board>).storage.root.get('todos')
          const n = todos.length
          if (kind === 'outage') {
            down = !down
            await (down ? relay.stop() : relay.restart())
          } else if (kind === 'insert') todos.insert(at % (n + 1), { title: `t${at}`, done: false })
          else if (n === 0) continue
          else if (kind === 'delete') todos.delete(at % n)
          else if (kind === 'move') todos.move(at % n, to % n)
          else if (kind === 'title') todos.get(at % n)?.set('title', `by ${who}`)
          else todos.get(at % n)?.set('done', true)
        }
        if (down) await relay.restart()
        const storage = await converged(rooms)
        const ids = idsOf(storage.todos)
        expect(new Set(ids).size).toBe(ids.length)
        await Promise.all(rooms.map((room) => room.close()))
      }),
      { numRuns: Number(process.env.ACCORD_PROPERTY_RELAY_RUNS ?? 15), endOnFailure: true },
    )
  }, 120_000)
})
