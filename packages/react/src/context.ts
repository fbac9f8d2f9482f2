import type { Client, Room } from '@accord/client'
import { createContext, useContext } from 'react'

/** Set by `AccordProvider`; null while server rendering with `url` props (no client there). */
export const ClientContext = createContext<Client | null | undefined>(undefined)

/** Set by `RoomProvider`; null while server rendering, where no room is opened. */
export const RoomContext = createContext<Room | null | undefined>(undefined)

/** Server rendering: no sockets, snapshots are initial values. */
export const isServer = typeof window === 'undefined'

/** The client of the nearest `<AccordProvider>`. */
export function useClient(): Client {
  const client = useClientOrServer()
  if (client === null) throw serverError('useClient')
  return client
}

/** The room of the nearest `<RoomProvider>`, for what the hooks do not cover. */
export function useRoom(): Room {
  const room = useRoomOrServer()
  if (room === null) throw serverError('useRoom')
  return room
}

/** @internal The client, or null while server rendering. */
export function useClientOrServer(): Client | null {
  const client = useContext(ClientContext)
  if (client === undefined) {
    throw new Error('@accord/react: this hook must be used inside <AccordProvider>')
  }
  return client
}

/** @internal The room, or null while server rendering; hooks read initial values then. */
export function useRoomOrServer(): Room | null {
  const room = useContext(RoomContext)
  if (room === undefined) {
    throw new Error('@accord/react: this hook must be used inside <RoomProvider name="...">')
  }
  return room
}

/** @internal For callbacks (setters, mutations) that need the room when they are called. */
export function requireRoom(room: Room | null, what: string): Room {
  if (room === null) throw serverError(what)
  return room
}

function serverError(what: string): Error {
  return new Error(
    `@accord/react: ${what} has no room during server rendering; call it in an effect or an event handler`,
  )
}
