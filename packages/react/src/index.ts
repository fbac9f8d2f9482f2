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
  useMutation,
  useSelector,
  useText,
  useValue,
} from './hooks/data.js'
export { useCanRedo, useCanUndo, useRedo, useUndo } from './hooks/history.js'
export { useBroadcast, useEvent, useMyPresence, useOthers } from './hooks/presence.js'
export { useRoomLoaded, useStatus, useSyncStatus, useUnsavedChanges } from './hooks/status.js'
export {
  AccordProvider,
  type AccordProviderProps,
  RoomProvider,
  type RoomProviderProps,
} from './provider.js'
export { shallow } from './shallow.js'
export type { IsEqual, Selector } from './use-selected-snapshot.js'
