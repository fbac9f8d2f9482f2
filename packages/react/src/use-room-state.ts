import type { Room } from '@accord/client'
import { useCallback } from 'react'
import { useRoomOrServer } from './context.js'
import { type IsEqual, type Selector, useSelectedSnapshot } from './use-selected-snapshot.js'

/**
 * A stable snapshot and its change notifications: every primitive, `room.presence` and
 * `room.history` already are one (their `get` and `subscribe` are bound); `perRoom` makes the
 * others.
 */
export interface Store<S> {
  get(): S
  subscribe(onChange: () => void): () => void
}

/**
 * The hooks' one way of reading a room: `store(room)` selected through `selector`. While server
 * rendering (and hydrating) it reads `initial`, which must be the same object on every call
 * of one render.
 */
export function useRoomState<S, R>(
  store: (room: Room) => Store<S>,
  initial: S,
  selector: Selector<S, R>,
  isEqual?: IsEqual<R>,
): R {
  const room = useRoomOrServer()
  const source = room === null ? undefined : store(room)
  const getInitial = useCallback(() => initial, [initial])
  return useSelectedSnapshot(
    source?.subscribe ?? subscribeToNothing,
    source?.get ?? getInitial,
    getInitial,
    selector,
    isEqual,
  )
}

/** One store per room, made on first use, so that its functions keep their identity. */
export function perRoom<S>(create: (room: Room) => Store<S>): (room: Room) => Store<S> {
  const stores = new WeakMap<Room, Store<S>>()
  return (room) => {
    let store = stores.get(room)
    if (store === undefined) {
      store = create(room)
      stores.set(room, store)
    }
    return store
  }
}

export function identity<T>(value: T): T {
  return value
}

const subscribeToNothing = (): (() => void) => () => {}
