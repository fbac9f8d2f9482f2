import type { RoomSnapshot } from '@accord/client'
import { useCallback } from 'react'
import { requireRoom, useRoomOrServer } from '../context.js'
import { identity, perRoom, useRoomState } from '../use-room-state.js'
import type { IsEqual, Selector } from '../use-selected-snapshot.js'

// Initial values read while server rendering: shared constants, so that they keep their identity.
const EMPTY_MAP = Object.freeze({})
const EMPTY_LIST = Object.freeze([])

/**
 * A whole JSON value, last writer wins: `[value, setValue]`, like `useState`. `initial` is the
 * value until someone sets one; `setValue` also takes a function of the current value.
 *
 * @deprecated Use `useStorage(root => root.key)`, and a `useMutation` that sets the field.
 */
export function useValue<T>(key: string): [T | undefined, (value: SetValue<T | undefined>) => void]
export function useValue<T>(key: string, initial: T): [T, (value: SetValue<T>) => void]
export function useValue<T>(
  key: string,
  initial?: T,
): [T | undefined, (value: SetValue<T | undefined>) => void] {
  const room = useRoomOrServer()
  const value = useRoomState((room) => room.value(key, initial), initial, identity)
  // biome-ignore lint/correctness/useExhaustiveDependencies: `initial` only matters on the key's first open, which rendering has done
  const setValue = useCallback(
    (next: SetValue<T | undefined>) => {
      const shared = requireRoom(room, 'setValue').value(key, initial)
      shared.set(
        typeof next === 'function' ? (next as (current: T | undefined) => T)(shared.get()) : next,
      )
    },
    [room, key],
  )
  return [value, setValue]
}

/** A new value, or a function from the current value to the new one (values are never functions). */
export type SetValue<T> = T | ((current: T) => T)

/**
 * An object whose keys merge independently, or what `selector` picks from it.
 *
 * @deprecated Use `useStorage`: objects in storage merge field by field, at any depth.
 */
export function useMap<T extends Record<string, unknown>>(key: string): Readonly<Partial<T>>
export function useMap<T extends Record<string, unknown>, R>(
  key: string,
  selector: Selector<Readonly<Partial<T>>, R>,
  isEqual?: IsEqual<R>,
): R
export function useMap<T extends Record<string, unknown>, R>(
  key: string,
  selector: Selector<Readonly<Partial<T>>, R> = identity as Selector<Readonly<Partial<T>>, R>,
  isEqual?: IsEqual<R>,
): R {
  return useRoomState((room) => room.map<T>(key), EMPTY_MAP, selector, isEqual)
}

/**
 * A list, or what `selector` picks from it.
 *
 * @deprecated Use `useStorage`: lists in storage move without copies and merge inside items.
 */
export function useList<T>(key: string): readonly T[]
export function useList<T, R>(
  key: string,
  selector: Selector<readonly T[], R>,
  isEqual?: IsEqual<R>,
): R
export function useList<T, R>(
  key: string,
  selector: Selector<readonly T[], R> = identity as Selector<readonly T[], R>,
  isEqual?: IsEqual<R>,
): R {
  return useRoomState((room) => room.list<T>(key), EMPTY_LIST, selector, isEqual)
}

/**
 * Collaborative text: `[text, setText]`. `setText(next)` applies the smallest edit from the
 * current text to `next`, so concurrent edits elsewhere in the text survive (bind it to an
 * input's `onChange`).
 *
 * @deprecated Use a `LiveText` field: `useStorage(root => root.notes)` and
 * `storage.get('notes').set(next)` in a `useMutation`.
 */
export function useText(key: string): [string, (next: string) => void] {
  const room = useRoomOrServer()
  const text = useRoomState((room) => room.text(key), '', identity)
  const setText = useCallback(
    (next: string) => requireRoom(room, 'setText').text(key).set(next),
    [room, key],
  )
  return [text, setText]
}

/** A number that concurrent increments add up on: `[count, increment]`; `increment(-1)` decrements. */
export function useCounter(key: string): [number, (by?: number) => void] {
  const room = useRoomOrServer()
  const count = useRoomState((room) => room.counter(key), 0, identity)
  const increment = useCallback(
    (by?: number) => requireRoom(room, 'increment').counter(key).increment(by),
    [room, key],
  )
  return [count, increment]
}

const wholeState = perRoom((room) => ({
  get: () => room.snapshot(),
  subscribe: (onChange) => room.on('change', onChange),
}))

/**
 * Selects from the room's whole state as plain JSON: `room.snapshot()`, the snapshot of every
 * primitive opened on the room (by any hook or code), keyed by key. A key nobody opened yet is
 * absent, since only opening tells which kind of primitive it holds. `Root` is the shape the
 * app declares; it is not checked.
 *
 * @deprecated Use `useStorage`, which selects from the typed storage root.
 */
export function useSelector<Root extends object = RoomSnapshot, R = unknown>(
  selector: Selector<Root, R>,
  isEqual?: IsEqual<R>,
): R {
  return useRoomState(wholeState, EMPTY_MAP, selector as Selector<RoomSnapshot, R>, isEqual)
}
