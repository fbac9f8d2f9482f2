import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { SaveTracker } from '../src/sync-status.js'

const REMOTE = Symbol('provider')

function tracker() {
  const doc = new Y.Doc()
  const saves = new SaveTracker(
    doc,
    (origin) => origin === REMOTE,
    () => {},
  )
  const edit = () => doc.getArray('a').push([1])
  return { doc, saves, edit }
}

describe('SaveTracker', () => {
  it('counts local changes only, not remote ones or no-op transactions', () => {
    const { doc, saves, edit } = tracker()
    edit()
    doc.transact(() => {})
    const other = new Y.Doc()
    other.getArray('a').push([2])
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other), REMOTE)
    expect(saves.changes).toBe(1)
    expect(saves.status(true)).toBe('saving')
    expect(saves.status(false)).toBe('offline-changes')
  })

  it('does not let an update frame sent before step 2 cover offline changes', () => {
    const { saves, edit } = tracker()
    edit() // offline
    saves.connectionOpened()
    edit() // sent as an update frame before our step 2 answered the relay
    saves.updateSent('update') // frame 1: carries only the second change
    saves.acked(1)
    expect(saves.saved).toBe(0)
    saves.updateSent('step2') // frame 2: carries everything the relay lacked
    saves.acked(2)
    expect(saves.saved).toBe(2)
    expect(saves.status(true)).toBe('saved')
  })

  it('saves changes as the acks cover their frames, and restarts counting per connection', () => {
    const { saves, edit } = tracker()
    saves.connectionOpened()
    saves.updateSent('step2')
    saves.acked(1)
    edit()
    saves.updateSent('update') // frame 2
    edit()
    saves.updateSent('update') // frame 3
    saves.acked(2)
    expect(saves.saved).toBe(1)
    saves.connectionOpened() // frame 3 was never acknowledged on the old socket
    saves.acked(3) // meaningless on the new socket: nothing sent yet
    expect(saves.saved).toBe(1)
    saves.updateSent('step2')
    saves.acked(1)
    expect(saves.saved).toBe(2)
  })
})
