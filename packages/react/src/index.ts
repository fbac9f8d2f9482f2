export {
  ClientContext,
  RoomContext,
  useClient,
  useRoom,
} from './context.js'
export {
  type SetValue,
  useCounter,
  useList,
  useMap,
  useSelector,
  useText,
  useValue,
} from './hooks/data.js'
export { useErrorListener } from './hooks/errors.js'
export { useCanRedo, useCanUndo, useRedo, useUndo } from './hooks/history.js'
export {
  useBroadcast,
  useEvent,
  useMyPresence,
  useOther,
  useOthers,
  useSelf,
} from './hooks/presence.js'
export { useRoomLoaded, useStatus, useSyncStatus, useUnsavedChanges } from './hooks/status.js'
export { useMutation, useStorage } from './hooks/storage.js'
export {
  AccordProvider,
  type AccordProviderProps,
  RoomProvider,
  type RoomProviderProps,
} from './provider.js'
export { createRoomContext, type RoomContext as TypedRoomContext } from './room-context.js'
export { shallow } from './shallow.js'
export type { DeclaredPresence, DeclaredStorage, MutationContext } from './types.js'
export type { IsEqual, Selector } from './use-selected-snapshot.js'
