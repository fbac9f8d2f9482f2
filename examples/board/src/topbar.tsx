// The top bar: who is here, history, connection and save status.
import {
  useCanRedo,
  useCanUndo,
  useOthers,
  useRedo,
  useStatus,
  useSyncStatus,
  useUndo,
  useUnsavedChanges,
} from '@accord/react'
import { useEffect } from 'react'
import { initials } from './identity.js'
import type { Presence } from './model.js'

export function Avatars({
  me,
  onRename,
}: {
  me: Presence | null
  onRename: (name: string) => void
}) {
  // One avatar per person (a person with two windows open shows once).
  const others = useOthers(
    (list) => list.map((other) => other.state).filter((state) => state?.name),
    (a, b) =>
      a.length === b.length && a.every((x, i) => x.name === b[i]?.name && x.color === b[i]?.color),
  )
  const people = new Map<string, Presence>()
  for (const other of others) if (other.name !== me?.name) people.set(other.name, other)
  return (
    <section className="avatars" aria-label="People here">
      {me && (
        <button
          type="button"
          className="avatar me"
          style={{ background: me.color }}
          title={`${me.name} (you) — click to rename`}
          data-name={me.name}
          onClick={() => {
            const name = prompt('Your name', me.name)?.trim()
            if (name) onRename(name)
          }}
        >
          {initials(me.name)}
        </button>
      )}
      {[...people.values()].map((person) => (
        <span
          key={person.name}
          className="avatar"
          style={{ background: person.color }}
          title={person.name}
          data-name={person.name}
        >
          {initials(person.name)}
        </span>
      ))}
    </section>
  )
}

export function HistoryButtons() {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform)
  const buttons = [
    ['↶', 'Undo', useUndo(), useCanUndo(), `Undo your last change (${mac ? '⌘Z' : 'Ctrl+Z'})`],
    ['↷', 'Redo', useRedo(), useCanRedo(), `Redo (${mac ? '⇧⌘Z' : 'Ctrl+Shift+Z'})`],
  ] as const
  return (
    <div className="history">
      {buttons.map(([glyph, label, run, enabled, title]) => (
        <button
          key={label}
          type="button"
          className="icon"
          onClick={run}
          disabled={!enabled}
          aria-label={label}
          title={title}
        >
          {glyph}
        </button>
      ))}
    </div>
  )
}

/** Ctrl/Cmd-Z undoes, Shift-Ctrl/Cmd-Z (or Ctrl-Y) redoes; text fields keep their own undo. */
export function useHistoryShortcuts() {
  const undo = useUndo()
  const redo = useRedo()
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return
      const target = event.target as HTMLElement | null
      if (target?.closest('input, textarea, [contenteditable]')) return
      const key = event.key.toLowerCase()
      if (key === 'z' && !event.shiftKey) undo()
      else if ((key === 'z' && event.shiftKey) || key === 'y') redo()
      else return
      event.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [undo, redo])
}

export function ConnectionBadge() {
  const status = useStatus()
  const text =
    status === 'connected'
      ? 'Online'
      : status === 'connecting'
        ? 'Connecting…'
        : status === 'offline'
          ? 'Offline'
          : `Disconnected (${status})`
  return (
    <span className={`badge connection ${status}`} data-testid="connection">
      {text}
    </span>
  )
}

export function SaveBadge() {
  const sync = useSyncStatus()
  const unsaved = useUnsavedChanges()
  const changes = `${unsaved} ${unsaved === 1 ? 'change' : 'changes'}`
  const [text, title] = {
    saved: ['Saved', 'Every change you made is on the relay’s disk'],
    saving: ['Saving…', 'Waiting for the relay to confirm your changes are on disk'],
    'offline-changes': [
      `Offline — ${changes} kept on this device`,
      'Your changes are stored in this browser and will sync when the relay is back',
    ],
    rejected: [
      'Not saved — read-only',
      `The relay refused ${changes}: you can view this board but not edit it`,
    ],
  }[sync]
  return (
    <span className={`badge save ${sync}`} data-testid="save" title={title}>
      {text}
    </span>
  )
}
