import type { EventListener, PresenceEntry, PresenceSnapshot, Room } from '@accord/client'
import { useCallback, useEffect, useRef } from 'react'
import { requireRoom, useRoomOrServer } from '../context.js'
import { identity, useRoomState } from '../use-room-state.js'
import type { IsEqual, Selector } from '../use-selected-snapshot.js'

const NOBODY: PresenceSnapshot<never> = Object.freeze({ self: null, others: Object.freeze([]) })

// The provider's room is untyped; `P` is what the app declares its presence to be.
const presenceOf = <P extends object>(room: Room) => (room as unknown as Room<P>).presence

const selectSelf = <P>(snapshot: PresenceSnapshot<P>): P | null => snapshot.self

/**
 * My presence and its updater: `[state, update]`. `update(partial)` merges into my state (and
 * makes me visible to others); `null` until I set something.
 */
export function useMyPresence<P extends object = Record<string, unknown>>(): [
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
export function useOthers<P extends object = Record<string, unknown>>(): readonly PresenceEntry<P>[]
export function useOthers<P extends object = Record<string, unknown>, R = unknown>(
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
  const latest = useRef(handler)
  useEffect(() => {
    latest.current = handler
  })
  useEffect(
    () => room?.events.subscribe<T>(name, (data, from) => latest.current(data, from)),
    [room, name],
  )
}
