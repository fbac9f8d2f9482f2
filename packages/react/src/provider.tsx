import { type Client, type ClientOptions, createClient, type Room } from '@accord/client'
import { type ReactNode, useEffect, useReducer, useState } from 'react'
import { ClientContext, isServer, RoomContext, useClientOrServer } from './context.js'
import { holdRoom, openRoom } from './room-leases.js'

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

export interface RoomProviderProps {
  /** The room's name; it may contain `/`. */
  name: string
  children?: ReactNode
}

/**
 * Opens a room for the tree below and closes it when the last `RoomProvider` of that room
 * unmounts. Several providers of the same room share one room and one socket. While server
 * rendering it opens nothing and the hooks below return initial values.
 */
export function RoomProvider({ name, children }: RoomProviderProps): ReactNode {
  const client = useClientOrServer()
  const room = useHeldRoom(client, name)
  return <RoomContext.Provider value={room}>{children}</RoomContext.Provider>
}

function useHeldRoom(client: Client | null, name: string): Room | null {
  const [, renderAgain] = useReducer((renders: number) => renders + 1, 0)
  const room = client === null || isServer ? null : openRoom(client, name)
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
