export {
  INITIAL_STORAGE_ORIGIN,
  idsOf,
  type Live,
  LiveList,
  LiveObject,
  LiveText,
  ShapeMismatchError,
  type Snapshot,
  Storage,
} from '@accord/state'
export { type BackoffOptions, backoffDelay } from './backoff.js'
export { Client, type ClientOptions, createClient } from './client.js'
export type { RoomStatus, TokenSource } from './connection.js'
export { AccordError, type AccordErrorCode } from './errors.js'
export { type EventListener, RoomEvents } from './events.js'
export { History, type HistorySnapshot } from './history.js'
export { Presence, type PresenceEntry, type PresenceSnapshot } from './presence.js'
export { SharedCounter } from './primitives/counter.js'
export { type ListEntry, SharedList } from './primitives/list.js'
export { SharedMap } from './primitives/map.js'
export { type Listener, SharedState } from './primitives/shared-state.js'
export { SharedText } from './primitives/text.js'
export { SharedValue } from './primitives/value.js'
export { type OpenRoomOptions, Room, type RoomEventMap, type RoomSnapshot } from './room.js'
export type { WebSocketClass } from './socket.js'
export type { SyncStatus } from './sync-status.js'
