import type { RoomStatus, SyncStatus } from '@accord/client'
import { identity, perRoom, useRoomState } from '../use-room-state.js'

const status = perRoom((room) => ({
  get: () => room.status,
  subscribe: (onChange) => room.on('status', onChange),
}))

const syncStatus = perRoom((room) => ({
  get: () => room.syncStatus,
  subscribe: (onChange) => room.on('sync-status', onChange),
}))

const unsavedChanges = perRoom((room) => ({
  get: () => room.unsavedChanges,
  subscribe: (onChange) => room.on('unsaved-changes', onChange),
}))

const loaded = perRoom((room) => ({
  get: () => room.loaded,
  subscribe: (onChange) => {
    let subscribed = true
    void room.whenLoaded.then(() => subscribed && onChange())
    return () => {
      subscribed = false
    }
  },
}))

/** The connection: `'connecting'` (also while server rendering), `'connected'`, `'offline'`, ... */
export function useStatus(): RoomStatus {
  return useRoomState(status, 'connecting', identity)
}

/** `'saved'` (on the relay's disk), `'saving'`, `'offline-changes'` or `'rejected'`. */
export function useSyncStatus(): SyncStatus {
  return useRoomState(syncStatus, 'saved', identity)
}

/** How many local changes the relay has not acknowledged: "N changes kept on this device". */
export function useUnsavedChanges(): number {
  return useRoomState(unsavedChanges, 0, identity)
}

/** Whether the local replica (IndexedDB) is loaded; false while server rendering. */
export function useRoomLoaded(): boolean {
  return useRoomState(loaded, false, identity)
}
