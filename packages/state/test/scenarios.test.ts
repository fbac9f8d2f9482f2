import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { idsOf, LiveText, ROOT } from '../src/index.js'
import { replica, sync } from './replicas.js'

interface Todo {
  title: string
  done: boolean
}
interface Board {
  todos: Todo[]
  columns: string[]
  settings: { theme: string; size: number }
  notes: LiveText
}

const initial: Board = {
  todos: [
    { title: 'Buy milk', done: false },
    { title: 'Walk dog', done: false },
  ],
  columns: ['todo', 'doing', 'done'],
  settings: { theme: 'light', size: 12 },
  notes: new LiveText('hello'),
}

function pair() {
  const a = replica<Board>(initial)
  const b = replica<Board>(initial)
  sync(a, b)
  return [a, b] as const
}

describe('the issue scenarios', () => {
  it('concurrent edits of different fields of one item both survive', () => {
    const [a, b] = pair()
    a.storage.root.get('todos').get(1)?.set('title', 'Buy oat milk')
    b.storage.root.get('todos').get(1)?.set('done', true)
    sync(a, b)
    for (const r of [a, b]) {
      expect(r.storage.snapshot().todos[1]).toEqual({ title: 'Buy oat milk', done: true })
      expect(r.storage.root.get('todos').type.length).toBe(2)
    }
  })

  it('concurrent edits of different fields of a map value both survive', () => {
    const [a, b] = pair()
    a.storage.root.get('settings').set('theme', 'dark')
    b.storage.root.get('settings').set('size', 14)
    sync(a, b)
    expect(a.storage.snapshot().settings).toEqual({ theme: 'dark', size: 14 })
    expect(b.storage.snapshot()).toEqual(a.storage.snapshot())
  })

  it('a move and a concurrent edit of the item both survive', () => {
    const [a, b] = pair()
    a.storage.root.get('todos').move(0, 1)
    b.storage.root.get('todos').get(0)?.set('done', true)
    sync(a, b)
    for (const r of [a, b]) {
      expect(r.storage.snapshot().todos).toEqual([
        { title: 'Walk dog', done: false },
        { title: 'Buy milk', done: true },
      ])
    }
  })

  it('concurrent moves of one item leave one item, in one place everywhere', () => {
    const a = replica<Board>(initial)
    const b = replica<Board>(initial)
    const c = replica<Board>(initial)
    sync(a, b, c)
    a.storage.root.get('columns').move(0, 2)
    b.storage.root.get('columns').move(0, 1)
    sync(a, b, c)
    expect(a.storage.snapshot().columns).toHaveLength(3)
    expect(new Set(a.storage.snapshot().columns)).toEqual(new Set(['todo', 'doing', 'done']))
    expect(b.storage.snapshot()).toEqual(a.storage.snapshot())
    expect(c.storage.snapshot()).toEqual(a.storage.snapshot())
  })

  it('an item deleted while another replica edits it stays deleted', () => {
    const [a, b] = pair()
    a.storage.root.get('todos').get(0)?.set('title', 'Buy bread')
    b.storage.root.get('todos').delete(0)
    sync(a, b)
    for (const r of [a, b]) {
      expect(r.storage.snapshot().todos).toEqual([{ title: 'Walk dog', done: false }])
    }
  })

  it('an item deleted while another replica moves it stays deleted', () => {
    const [a, b] = pair()
    a.storage.root.get('todos').move(0, 1)
    b.storage.root.get('todos').delete(0)
    sync(a, b)
    expect(a.storage.snapshot().todos).toEqual([{ title: 'Walk dog', done: false }])
    expect(b.storage.snapshot()).toEqual(a.storage.snapshot())
  })

  it('clients that seed a new room at once end with the defaults exactly once', () => {
    const clients = Array.from({ length: 5 }, () => replica<Board>(initial))
    sync(...clients)
    for (const c of clients) {
      expect(c.storage.snapshot().columns).toEqual(['todo', 'doing', 'done'])
      expect(c.storage.snapshot().todos).toHaveLength(2)
      expect(c.storage.snapshot().notes).toBe('hello')
    }
  })

  it('defaults do not come back after they were deleted', () => {
    const [a] = pair()
    a.storage.root.get('todos').clear()
    const late = replica<Board>()
    sync(a, late)
    late.storage.initialize(initial)
    sync(a, late)
    expect(a.storage.snapshot().todos).toEqual([])
    expect(late.storage.snapshot().todos).toEqual([])
  })

  it('reports a field stored as another kind than its default', () => {
    const a = replica<{ todos: unknown }>({ todos: [] })
    const mismatches = a.storage.initialize({ todos: {} })
    expect(mismatches.map((m) => m.message)).toEqual([
      'storage at todos is a list, but this client expects a object',
    ])
  })

  it('text inside storage merges character by character', () => {
    const [a, b] = pair()
    a.storage.root.get('notes').insert(5, ' world')
    b.storage.root.get('notes').insert(0, '> ')
    sync(a, b)
    expect(a.storage.snapshot().notes).toBe('> hello world')
    expect(b.storage.snapshot().notes).toBe('> hello world')
  })
})

describe('reads and writes', () => {
  it('reads inside a transaction see its own writes', () => {
    const { storage } = replica<Board>(initial)
    storage.transact((root) => {
      const todos = root.get('todos')
      todos.push({ title: 'Third', done: false })
      expect(todos.length).toBe(3)
      expect(todos.get(2)?.snapshot()).toEqual({ title: 'Third', done: false })
      todos.delete(0)
      expect(todos.length).toBe(2)
      expect(storage.snapshot().todos.map((t) => t.title)).toEqual(['Walk dog', 'Third'])
    })
  })

  it('refuses values that are not JSON, naming the path, and writes nothing', () => {
    const { storage, doc } = replica<Board>(initial)
    const before = Y.encodeStateVector(doc)
    const todos = storage.root.get('todos') as unknown as { push(v: unknown): void }
    expect(() => todos.push({ title: 'x', done: false, due: new Date() })).toThrow(
      /a Date at todos\[2\]\.due/,
    )
    expect(() => todos.push({ title: 'x', tags: [1, undefined] })).toThrow(
      /undefined at todos\[2\]\.tags\[1\]/,
    )
    expect(() => todos.push({ n: Number.NaN })).toThrow(/NaN at todos\[2\]\.n/)
    expect(() => todos.push({ n: 1n })).toThrow(/a bigint at todos\[2\]\.n/)
    expect(() => todos.push({ f: () => 1 })).toThrow(/a function at todos\[2\]\.f/)
    expect(() => todos.push({ m: new Map() })).toThrow(/a Map at todos\[2\]\.m/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => todos.push(cyclic)).toThrow(/a cycle at todos\[2\]\.self/)
    expect(Y.encodeStateVector(doc)).toEqual(before)
  })

  it('gives list snapshots stable ids that survive moves', () => {
    const { storage } = replica<Board>(initial)
    const ids = idsOf(storage.snapshot().todos)
    storage.root.get('todos').move(0, 1)
    expect(idsOf(storage.snapshot().todos)).toEqual([ids[1], ids[0]])
    expect(storage.root.get('todos').indexOf(ids[0] as string)).toBe(1)
  })

  it('is laid out as plain Yjs types a stock client can read', () => {
    const { doc } = replica<Board>(initial)
    const stock = new Y.Doc()
    Y.applyUpdate(stock, Y.encodeStateAsUpdate(doc))
    const root = stock.getMap(ROOT).toJSON()
    expect(root.settings).toEqual({ theme: 'light', size: 12 })
    expect(root.notes).toBe('hello')
    const titles = (root.todos as { p: string; v: Todo }[])
      .sort((x, y) => (x.p < y.p ? -1 : 1))
      .map((entry) => entry.v.title)
    expect(titles).toEqual(['Buy milk', 'Walk dog'])
    expect(stock.getMap('accord').get('schema')).toBe(1)
  })
})

describe('snapshots', () => {
  it('share every untouched subtree after a change', () => {
    const [a, b] = pair()
    const todos = a.storage.root.get('todos')
    for (let i = 0; i < 8; i++) todos.push({ title: `t${i}`, done: false })
    const before = a.storage.snapshot()
    b.storage.root.get('todos').get(0)?.set('done', true)
    sync(a, b)
    a.storage.root.get('todos').get(7)?.set('title', 'changed')
    const after = a.storage.snapshot()
    expect(after).not.toBe(before)
    expect(after.todos).not.toBe(before.todos)
    expect(after.todos[7]).not.toBe(before.todos[7])
    expect(after.todos[3]).toBe(before.todos[3])
    expect(after.settings).toBe(before.settings)
    expect(after.columns).toBe(before.columns)
    expect(Object.isFrozen(after.todos[7])).toBe(true)
    expect(a.storage.snapshot()).toBe(after)
  })

  it('notifies subscribers once per transaction', () => {
    const [a, b] = pair()
    const seen: unknown[] = []
    a.storage.subscribe((snapshot) => seen.push(snapshot))
    a.storage.transact((root) => {
      root.get('settings').set('size', 1)
      root.get('settings').set('size', 2)
    })
    b.storage.root.get('columns').push('later')
    sync(a, b)
    expect(seen).toHaveLength(2)
    expect((seen[1] as Board).columns).toContain('later')
  })
})
