import type { Room, Snapshot } from '@accord/client'
import { type DependencyList, useCallback, useContext } from 'react'
import { requireRoom, useRoomOrServer } from '../context.js'
import { InitialStorageContext } from '../initial-storage.js'
import type { DeclaredPresence, DeclaredStorage, MutationContext } from '../types.js'
import { perRoom, useRoomState } from '../use-room-state.js'
import type { IsEqual, Selector } from '../use-selected-snapshot.js'

/** What the storage store reads while the local replica loads: the provider's initial snapshot. */
const LOADING = Symbol('loading')

const storageOf = perRoom<object | typeof LOADING>((room) => ({
  get: () => (room.loaded ? room.storage.snapshot() : LOADING),
  subscribe: (onChange) => {
    let subscribed = true
    void room.whenLoaded.then(() => subscribed && onChange())
    const unsubscribe = room.storage.subscribe(onChange)
    return () => {
      subscribed = false
      unsubscribe()
    }
  },
}))

/**
 * Selects from the room's whole storage (`room.storage.snapshot()`): the component re-renders
 * only when the selection changed by `isEqual` (default `Object.is`). Snapshots share every
 * untouched subtree, so `root => root.todos[3]` stays the same object until that todo changes.
 * Until the room's storage is there (server rendering, local replica loading) it selects from
 * the provider's `initialStorage`.
 */
export function useStorage<R, S extends object = DeclaredStorage>(
  selector: Selector<Snapshot<S>, R>,
  isEqual?: IsEqual<R>,
): R {
  const initial = useContext(InitialStorageContext)
  const select = useCallback(
    (snapshot: object | typeof LOADING) =>
      selector((snapshot === LOADING ? initial : snapshot) as Snapshot<S>),
    [selector, initial],
  )
  return useRoomState(storageOf, initial, select, isEqual)
}

/**
 * A stable callback that runs `fn(context, ...args)` as one transaction (one update on the wire,
 * one render per component); `context.storage` is the typed storage root. Recreated when `deps`
 * change, like `useCallback`.
 */
export function useMutation<
  A extends unknown[],
  R,
  P extends object = DeclaredPresence,
  S extends object = DeclaredStorage,
>(fn: (context: MutationContext<P, S>, ...args: A) => R, deps: DependencyList): (...args: A) => R {
  const room = useRoomOrServer()
  // biome-ignore lint/correctness/useExhaustiveDependencies: `deps` are the caller's, as with useCallback
  return useCallback(
    (...args: A) => {
      const current = requireRoom(room, 'a mutation') as unknown as Room<P, S>
      return current.storage.transact((storage) =>
        fn(
          {
            storage,
            room: current,
            self: current.presence.get().self,
            setMyPresence: (partial) => current.presence.update(partial),
          },
          ...args,
        ),
      )
    },
    [room, ...deps],
  )
}
