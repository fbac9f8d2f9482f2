import type { HistorySnapshot } from '@accord/client'
import { useCallback } from 'react'
import { requireRoom, useRoomOrServer } from '../context.js'
import { useRoomState } from '../use-room-state.js'

const NOTHING_TO_UNDO: HistorySnapshot = Object.freeze({ canUndo: false, canRedo: false })

const selectCanUndo = (snapshot: HistorySnapshot): boolean => snapshot.canUndo
const selectCanRedo = (snapshot: HistorySnapshot): boolean => snapshot.canRedo

/** Undoes this client's last change (changes from others are never undone). Stable. */
export function useUndo(): () => void {
  const room = useRoomOrServer()
  return useCallback(() => requireRoom(room, 'undo').history.undo(), [room])
}

/** Redoes the last undone change. Stable. */
export function useRedo(): () => void {
  const room = useRoomOrServer()
  return useCallback(() => requireRoom(room, 'redo').history.redo(), [room])
}

export function useCanUndo(): boolean {
  return useRoomState((room) => room.history, NOTHING_TO_UNDO, selectCanUndo)
}

export function useCanRedo(): boolean {
  return useRoomState((room) => room.history, NOTHING_TO_UNDO, selectCanRedo)
}
