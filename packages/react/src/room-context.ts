import type { AccordError, PresenceEntry, Room, Snapshot } from '@accord/client'
import type { DependencyList, ReactNode } from 'react'
import { useRoom } from './context.js'
import { useErrorListener } from './hooks/errors.js'
import { useMyPresence, useOther, useOthers, useSelf } from './hooks/presence.js'
import { useMutation, useStorage } from './hooks/storage.js'
import { RoomProvider, type RoomProviderProps } from './provider.js'
import type { MutationContext } from './types.js'
import type { IsEqual, Selector } from './use-selected-snapshot.js'

/** The room hooks, typed for rooms of presence `P` and storage `S`. */
export interface RoomContext<P extends object, S extends object> {
  RoomProvider(props: RoomProviderProps<P, S>): ReactNode
  useRoom(): Room<P, S>
  useStorage<R>(selector: Selector<Snapshot<S>, R>, isEqual?: IsEqual<R>): R
  useMutation<A extends unknown[], R>(
    fn: (context: MutationContext<P, S>, ...args: A) => R,
    deps: DependencyList,
  ): (...args: A) => R
  useMyPresence(): [P | null, (partial: Partial<P>) => void]
  useSelf: {
    (): PresenceEntry<P> | null
    <R>(selector: Selector<PresenceEntry<P> | null, R>, isEqual?: IsEqual<R>): R
  }
  useOthers: {
    (): readonly PresenceEntry<P>[]
    <R>(selector: Selector<readonly PresenceEntry<P>[], R>, isEqual?: IsEqual<R>): R
  }
  useOther<R>(
    connectionId: number,
    selector: Selector<P, R>,
    isEqual?: IsEqual<R | undefined>,
  ): R | undefined
  useErrorListener(callback: (error: AccordError) => void): void
}

/**
 * The room hooks typed for one kind of room, for apps with several kinds (or that prefer this
 * to declaring `AccordTypes`): `export const { RoomProvider, useStorage, useMutation } =
 * createRoomContext<Presence, Storage>()`. They are the package's hooks, only typed, so they
 * share its providers: the nearest `RoomProvider` of either kind provides the room.
 */
export function createRoomContext<P extends object, S extends object>(): RoomContext<P, S> {
  // Types are the only difference: the hooks read whatever room the provider opened.
  return {
    RoomProvider,
    useRoom,
    useStorage,
    useMutation,
    useMyPresence,
    useSelf,
    useOthers,
    useOther,
    useErrorListener,
  } as unknown as RoomContext<P, S>
}
