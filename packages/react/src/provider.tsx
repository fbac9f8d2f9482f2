import { type Client, type ClientOptions, createClient, type Room } from '@accord/client'
import { type ReactNode, useEffect, useReducer, useState } from 'react'
import { ClientContext, isServer, RoomContext, useClientOrServer } from './context.js'
import { InitialStorageContext, initialSnapshot } from './initial-storage.js'
import { holdRoom, openRoom } from './room-leases.js'
import type { DeclaredPresence, DeclaredStorage } from './types.js'

export type AccordProviderProps = ({ client: Client } | ClientOptions) & { children?: ReactNode }

/**
 * Makes a client available to the tree: pass one, or the options to create one. Options are
 * read once, on mount. While server rendering no client is created from options (nothing
 * would connect anyway).
 */
export function AccordProvider(props: AccordProviderProps): ReactNode {
  const { children, ...options } = props
  const [client] = useState(() => {
    if ('client' in options) return options.client
    return isServer ? null : createClient(options)
  })
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>
}

export interface RoomProviderProps<
  P extends object = DeclaredPresence,
  S extends object = DeclaredStorage,
> {
  /** The room's name; it may contain `/`. */
  name: string
  /**
   * Defaults of the room's storage, top-level field by field, written where the room has none
   * (clients that do so at once end with one copy); what `useStorage` reads until the room's
   * storage is there. Read when the room is opened.
   */
  initialStorage?: Partial<S>
  /** My presence on mount, unless this connection already has one. */
  initialPresence?: P
  children?: ReactNode
}

/**
 * Opens a room for the tree below and closes it when the last `RoomProvider` of that room
 * unmounts. Several providers of the same room share one room and one socket. While server
 * rendering it opens nothing and the hooks below return initial values.
 */
export function RoomProvider({
  name,
  initialStorage,
  initialPresence,
  children,
}: RoomProviderProps): ReactNode {
  const client = useClientOrServer()
  const room = useHeldRoom(client, name, initialStorage)
  const [initial] = useState(() => initialSnapshot(initialStorage))
  // biome-ignore lint/correctness/useExhaustiveDependencies: like initialStorage, read once per room
  useEffect(() => {
    if (room !== null && initialPresence !== undefined && room.presence.get().self === null) {
      room.presence.set(initialPresence)
    }
  }, [room])
  return (
    <RoomContext.Provider value={room}>
      <InitialStorageContext.Provider value={initial}>{children}</InitialStorageContext.Provider>
    </RoomContext.Provider>
  )
}

function useHeldRoom(
  client: Client | null,
  name: string,
  initialStorage: object | undefined,
): Room | null {
  const [, renderAgain] = useReducer((renders: number) => renders + 1, 0)
  const room = client === null || isServer ? null : openRoom(client, name, initialStorage)
  useEffect(() => {
    if (room === null) return
    // Closed between this render and its commit (by the app, or never held long enough): the
    // next render opens a fresh one.
    if (room.status === 'closed') {
      renderAgain()
      return
    }
    return holdRoom(room)
  }, [room])
  return room
}
