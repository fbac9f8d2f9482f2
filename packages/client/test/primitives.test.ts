import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { SharedCounter, SharedList, SharedMap, SharedText, SharedValue } from '../src/index.js'

/** Two replicas that exchange updates only when told to, to make edits truly concurrent. */
function replicas() {
  const a = new Y.Doc()
  const b = new Y.Doc()
  const sync = () => {
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
  }
  return { a, b, sync }
}

describe('snapshots', () => {
  it('stay the same object until something changes, then notify once per transaction', () => {
    const doc = new Y.Doc()
    const map = new SharedMap<{ x: number; y: number }>(doc.getMap('m'))
    const list = new SharedList<number>(doc.getArray('l'))
    const first = map.get()
    expect(map.get()).toBe(first)
    expect(list.get()).toBe(list.get())
    expect(list.entries()).toBe(list.entries())

    const listener = vi.fn()
    map.subscribe(listener)
    doc.transact(() => {
      map.set('x', 1)
      map.set('y', 2)
    })
    expect(listener).toHaveBeenCalledTimes(1)
    expect(listener).toHaveBeenCalledWith({ x: 1, y: 2 })
    expect(map.get()).not.toBe(first)
    expect(map.get()).toBe(map.get())
    expect(Object.isFrozen(map.get())).toBe(true)

    const listSnapshot = list.get()
    map.set('x', 3)
    expect(list.get()).toBe(listSnapshot)
  })

  it('stop notifying after unsubscribe', () => {
    const doc = new Y.Doc()
    const counter = new SharedCounter(doc.getMap('c'))
    const listener = vi.fn()
    const unsubscribe = counter.subscribe(listener)
    counter.increment()
    unsubscribe()
    counter.increment()
    expect(listener).toHaveBeenCalledTimes(1)
    expect(counter.get()).toBe(2)
  })
})

describe('SharedValue', () => {
  it('returns the initial value until set, and replaces values as a whole', () => {
    const doc = new Y.Doc()
    const value = new SharedValue(doc.getMap<{ n: number }>('v'), { n: 0 })
    expect(value.get()).toEqual({ n: 0 })
    value.set({ n: 1 })
    value.update((current) => ({ n: current.n + 1 }))
    expect(value.get()).toEqual({ n: 2 })
  })
})

describe('SharedCounter', () => {
  it('adds up concurrent increments and decrements', () => {
    const { a, b, sync } = replicas()
    const ca = new SharedCounter(a.getMap('c'))
    const cb = new SharedCounter(b.getMap('c'))
    ca.increment(5)
    cb.increment(2)
    cb.decrement()
    sync()
    expect(ca.get()).toBe(6)
    expect(cb.get()).toBe(6)
    expect(() => ca.increment(Number.NaN)).toThrow(RangeError)
  })
})

describe('SharedList', () => {
  it('inserts, deletes, replaces and moves, keeping ids on set and move', () => {
    const doc = new Y.Doc()
    const list = new SharedList<string>(doc.getArray('l'))
    list.push('a', 'b', 'c')
    list.insert(1, 'x')
    expect(list.get()).toEqual(['a', 'x', 'b', 'c'])
    const ids = list.entries().map((entry) => entry.id)
    expect(new Set(ids).size).toBe(4)

    list.set(1, 'y')
    expect(list.get()).toEqual(['a', 'y', 'b', 'c'])
    expect(list.entries()[1]?.id).toBe(ids[1])

    list.move(0, 3)
    expect(list.get()).toEqual(['y', 'b', 'c', 'a'])
    expect(list.indexOf(ids[0] as string)).toBe(3)
    list.move(3, 0)
    expect(list.get()).toEqual(['a', 'y', 'b', 'c'])

    list.delete(1, 2)
    expect(list.get()).toEqual(['a', 'c'])
    expect(list.length).toBe(2)
    expect(() => list.set(5, 'z')).toThrow(RangeError)
    list.clear()
    expect(list.get()).toEqual([])
  })

  it('shows an item moved concurrently by two clients once, the same on both', () => {
    const { a, b, sync } = replicas()
    const la = new SharedList<string>(a.getArray('l'))
    const lb = new SharedList<string>(b.getArray('l'))
    la.push('1', '2', '3', '4')
    sync()
    la.move(0, 3)
    lb.move(0, 1)
    sync()
    expect(la.get()).toEqual(lb.get())
    expect([...la.get()].sort()).toEqual(['1', '2', '3', '4'])
    // Deleting the item removes every stored copy.
    la.delete(la.indexOf(la.entries().find((entry) => entry.value === '1')?.id as string))
    sync()
    expect(lb.get()).toHaveLength(3)
    expect(b.getArray('l').length).toBe(3)
  })
})

describe('SharedText', () => {
  it('applies set() as the smallest edit, so a concurrent edit survives', () => {
    const { a, b, sync } = replicas()
    const ta = new SharedText(a.getText('t'))
    const tb = new SharedText(b.getText('t'))
    ta.set('hello world')
    sync()
    ta.set('hello brave world') // inserts "brave " only
    tb.set('hello world!')
    sync()
    expect(ta.get()).toBe('hello brave world!')
    expect(tb.get()).toBe('hello brave world!')
    ta.set('aaa')
    ta.set('aa')
    expect(ta.get()).toBe('aa')
  })
})
