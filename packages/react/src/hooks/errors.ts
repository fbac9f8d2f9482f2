import type { AccordError } from '@accord/client'
import { useEffect } from 'react'
import { useRoomOrServer } from '../context.js'
import { useLatest } from '../use-latest.js'

/**
 * Calls `callback(error)` for every error of the room while the component is mounted: a relay
 * that refused us, IndexedDB failing, storage of another shape than `initialStorage` declares
 * (`error.code === 'shape-mismatch'`)... The latest `callback` is called.
 */
export function useErrorListener(callback: (error: AccordError) => void): void {
  const room = useRoomOrServer()
  const latest = useLatest(callback)
  useEffect(() => room?.on('error', (error) => latest.current(error)), [room, latest])
}
