import type { Client, OpenRoomOptions, Room } from '@accord/client'

/**
 * Who holds each room that `RoomProvider` opened. A room is opened while rendering (so that
 * hooks read it in the very first render) and held by the providers' effects; it is closed once
 * nobody holds it, after a delay so that a release followed at once by a new hold keeps it:
 * that is StrictMode's mount, unmount, mount, which must not cost a second socket.
 */
interface Lease {
  holders: number
  closing: ReturnType<typeof setTimeout> | undefined
}

const leases = new WeakMap<Room, Lease>()

/** A render that never commits never holds its room: close it after this long. */
const UNHELD_MS = 10_000

/**
 * The open room with this name, opened with `initialStorage` if needed (its socket connects a
 * microtask later).
 */
export function openRoom(client: Client, name: string, initialStorage?: object): Room {
  // The storage type is the app's declaration; the room does not depend on it.
  const room = client.room(name, { initialStorage } as OpenRoomOptions<Record<string, unknown>>)
  if (!leases.has(room)) {
    const lease: Lease = { holders: 0, closing: undefined }
    leases.set(room, lease)
    closeWhenUnheld(room, lease, UNHELD_MS)
  }
  return room
}

/** Holds a room opened by `openRoom`; returns the release. */
export function holdRoom(room: Room): () => void {
  const lease = leases.get(room)
  if (lease === undefined)
    throw new Error(`@accord/react: room "${room.name}" was not opened by openRoom`)
  lease.holders++
  clearTimeout(lease.closing)
  lease.closing = undefined
  let released = false
  return () => {
    if (released) return
    released = true
    lease.holders--
    if (lease.holders === 0) closeWhenUnheld(room, lease, 0)
  }
}

function closeWhenUnheld(room: Room, lease: Lease, delay: number): void {
  clearTimeout(lease.closing)
  lease.closing = setTimeout(() => {
    if (lease.holders > 0) return
    leases.delete(room)
    void room.close()
  }, delay)
}
