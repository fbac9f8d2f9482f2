import type { EventListener, PresenceEntry, PresenceSnapshot, Room } from '@accord/client'
import { useCallback, useEffect } from 'react'
import { requireRoom, useRoomOrServer } from '../context.js'
import type { DeclaredPresence } from '../types.js'
import { useLatest } from '../use-latest.js'
import { identity, useRoomState } from '../use-room-state.js'
import type { IsEqual, Selector } from '../use-selected-snapshot.js'

const NOBODY: PresenceSnapshot<never> = Object.freeze({ self: null, others: Object.freeze([]) })

// The provider's room is untyped; `P` is what the app declares its presence to be.
const presenceOf = <P extends object>(room: Room) => (room as unknown as Room<P>).presence

const selectSelf = <P>(snapshot: PresenceSnapshot<P>): P | null => snapshot.self

// One entry per state object, so that `useSelf()` keeps its identity while my state does.
const selfEntries = new WeakMap<object, PresenceEntry<object>>()
function selfEntry<P extends object>(room: Room, state: P): PresenceEntry<P> {
  let entry = selfEntries.get(state)
  if (entry === undefined) {
    entry = Object.freeze({ connectionId: room.presence.connectionId, state })
    selfEntries.set(state, entry)
  }
  return entry as PresenceEntry<P>
}

/**
 * My presence and its updater: `[state, update]`. `update(partial)` merges into my state (and
 * makes me visible to others); `null` until I set something.
 */
export function useMyPresence<P extends object = DeclaredPresence>(): [
  P | null,
  (partial: Partial<P>) => void,
] {
  const room = useRoomOrServer()
  const self = useRoomState(presenceOf<P>, NOBODY as PresenceSnapshot<P>, selectSelf<P>)
  const update = useCallback(
    (partial: Partial<P>) => presenceOf<P>(requireRoom(room, 'updating presence')).update(partial),
    [room],
  )
  return [self, update]
}

/**
 * The others in the room who set a presence (in connection id order), or what `selector`
 * picks from them. With a selector, moves of what it does not pick cause no render; pass
 * `shallow` as `isEqual` when the selector builds a new array or object.
 */
export function useOthers<P extends object = DeclaredPresence>(): readonly PresenceEntry<P>[]
export function useOthers<P extends object = DeclaredPresence, R = unknown>(
  selector: Selector<readonly PresenceEntry<P>[], R>,
  isEqual?: IsEqual<R>,
): R
export function useOthers<P extends object, R>(
  selector: Selector<readonly PresenceEntry<P>[], R> = identity as Selector<
    readonly PresenceEntry<P>[],
    R
  >,
  isEqual?: IsEqual<R>,
): R {
  const selectOthers = useCallback(
    (snapshot: PresenceSnapshot<P>) => selector(snapshot.others),
    [selector],
  )
  return useRoomState(presenceOf<P>, NOBODY as PresenceSnapshot<P>, selectOthers, isEqual)
}

/**
 * Me as others see me (`{ connectionId, state }`), or null until I set a presence (and while
 * server rendering); or what `selector` picks from it.
 */
export function useSelf<P extends object = DeclaredPresence>(): PresenceEntry<P> | null
export function useSelf<P extends object = DeclaredPresence, R = unknown>(
  selector: Selector<PresenceEntry<P> | null, R>,
  isEqual?: IsEqual<R>,
): R
export function useSelf<P extends object, R>(
  selector: Selector<PresenceEntry<P> | null, R> = identity as Selector<PresenceEntry<P> | null, R>,
  isEqual?: IsEqual<R>,
): R {
  const room = useRoomOrServer()
  const select = useCallback(
    (snapshot: PresenceSnapshot<P>) =>
      selector(room === null || snapshot.self === null ? null : selfEntry(room, snapshot.self)),
    [room, selector],
  )
  return useRoomState(presenceOf<P>, NOBODY as PresenceSnapshot<P>, select, isEqual)
}

/**
 * What `selector` picks from the presence of the other connection `connectionId` (from
 * `useOthers`), or undefined once it left. Re-renders only when that selection changes.
 */
export function useOther<P extends object = DeclaredPresence, R = unknown>(
  connectionId: number,
  selector: Selector<P, R>,
  isEqual?: IsEqual<R | undefined>,
): R | undefined {
  const select = useCallback(
    (snapshot: PresenceSnapshot<P>) => {
      const other = snapshot.others.find((entry) => entry.connectionId === connectionId)
      return other === undefined ? undefined : selector(other.state)
    },
    [connectionId, selector],
  )
  return useRoomState(presenceOf<P>, NOBODY as PresenceSnapshot<P>, select, isEqual)
}

/** A function that sends an ephemeral event named `name` to the room's other connections. */
export function useBroadcast<T = unknown>(name: string): (data?: T) => boolean {
  const room = useRoomOrServer()
  return useCallback(
    (data?: T) => requireRoom(room, 'broadcasting').events.publish(name, data),
    [room, name],
  )
}

/**
 * Calls `handler(data, from)` for every event named `name` from another connection, while the
 * component is mounted. The latest `handler` is called; changing it does not resubscribe.
 */
export function useEvent<T = unknown>(name: string, handler: EventListener<T>): void {
  const room = useRoomOrServer()
  const latest = useLatest(handler)
  useEffect(
    () => room?.events.subscribe<T>(name, (data, from) => latest.current(data, from)),
    [room, name, latest],
  )
}
