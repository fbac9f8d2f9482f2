// A collaborative task board on @accord/react.
//
// The room `board/<name>` holds:
//   value 'title'               the board's name
//   map   'columns'             { [columnId]: { title, order, deleted? } }  (keys merge independently)
//   list  'cards/<columnId>'    [{ title }] per column; ids survive edits and moves
// Presence: { name, color, editing } per window.
import type { Room } from '@accord/client'
import {
  AccordProvider,
  RoomProvider,
  shallow,
  useCanRedo,
  useCanUndo,
  useList,
  useMap,
  useMutation,
  useMyPresence,
  useOthers,
  useRedo,
  useRoom,
  useRoomLoaded,
  useStatus,
  useSyncStatus,
  useUndo,
  useUnsavedChanges,
  useValue,
} from '@accord/react'
import { type DragEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react'
import { type Identity, initials, loadIdentity, saveIdentity } from './identity.js'

interface Card {
  title: string
}
interface Column {
  title: string
  order: number
  deleted?: boolean
}
interface Presence extends Identity {
  editing: string | null
}

const relayUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`
const boardName = decodeURIComponent(location.hash.slice(1)) || 'main'

/** Shown until someone changes a column; written (once) by the first column edit. */
const DEFAULT_COLUMNS: Record<string, Column> = {
  todo: { title: 'To do', order: 0 },
  doing: { title: 'In progress', order: 1 },
  done: { title: 'Done', order: 2 },
}
const cardsKey = (columnId: string) => `cards/${columnId}`

export function App() {
  return (
    <AccordProvider url={relayUrl}>
      <RoomProvider name={`board/${boardName}`}>
        <Board />
      </RoomProvider>
    </AccordProvider>
  )
}

// ---------------------------------------------------------------------------------------------

function useColumns(): [string, Column][] {
  const stored = useMap<Record<string, Column>>('columns')
  const source = Object.keys(stored).length > 0 ? stored : DEFAULT_COLUMNS
  return Object.entries(source)
    .filter((entry): entry is [string, Column] => entry[1] !== undefined && !entry[1].deleted)
    .sort(([a, x], [b, y]) => x.order - y.order || a.localeCompare(b))
}

/** The columns map, with the defaults written first if nobody wrote it yet. */
function columnsOf(room: Room) {
  const columns = room.map<Record<string, Column>>('columns')
  if (Object.keys(columns.get()).length === 0) columns.update(DEFAULT_COLUMNS)
  return columns
}

/** Where a dragged card comes from. */
interface Dragged {
  column: string
  id: string
}
let dragged: Dragged | null = null

function Board() {
  const loaded = useRoomLoaded()
  const columns = useColumns()
  const [title, setTitle] = useValue('title', 'Team board')
  const [identity] = useState(loadIdentity)
  const [me, updateMe] = useMyPresence<Presence>()

  useEffect(() => {
    if (me === null) updateMe({ ...identity, editing: null })
  }, [me, identity, updateMe])
  useHistoryShortcuts()

  const addColumn = useMutation((room) => {
    const map = columnsOf(room)
    const order = Math.max(0, ...Object.values(map.get()).map((column) => column?.order ?? 0)) + 1
    map.set(randomId(), { title: 'New column', order })
  }, [])

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-left">
          <div className="logo" aria-hidden="true" />
          <InlineEdit
            className="board-title"
            value={title}
            label="Board name"
            onSave={(next) => setTitle(next)}
          />
        </div>
        <div className="topbar-right">
          <Avatars
            me={me}
            onRename={(name) => {
              saveIdentity({ ...identity, name })
              updateMe({ name })
            }}
          />
          <HistoryButtons />
          <ConnectionBadge />
          <SaveBadge />
        </div>
      </header>

      <main className="columns" aria-busy={!loaded}>
        {columns.map(([id, column]) => (
          <ColumnView key={id} id={id} column={column} />
        ))}
        <button type="button" className="add-column" onClick={() => addColumn()}>
          + Add column
        </button>
      </main>
    </div>
  )
}

// ---------------------------------------------------------------------------------------------

function ColumnView({ id, column }: { id: string; column: Column }) {
  const room = useRoom()
  const cards = useList<Card>(cardsKey(id))
  // Ids survive edits and moves within the column: stable React keys.
  const entries = room.list<Card>(cardsKey(id)).entries()
  const [over, setOver] = useState(false)

  const rename = useMutation(
    (room, title: string) => {
      const map = columnsOf(room)
      const current = map.get()[id]
      if (current) map.set(id, { ...current, title })
    },
    [id],
  )
  const remove = useMutation(
    (room) => {
      const map = columnsOf(room)
      const current = map.get()[id]
      if (current) map.set(id, { ...current, deleted: true })
      room.list(cardsKey(id)).clear()
    },
    [id],
  )
  const addCard = useMutation(
    (room, title: string) => room.list<Card>(cardsKey(id)).push({ title }),
    [id],
  )
  const moveCard = useMoveCard()

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setOver(false)
    if (dragged) moveCard(dragged, id, cards.length)
    dragged = null
  }

  return (
    <section
      className={`column${over ? ' drop' : ''}`}
      data-column={id}
      aria-label={column.title}
      onDragOver={(event) => {
        if (!dragged) return
        event.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <header className="column-head">
        <InlineEdit
          className="column-title"
          value={column.title}
          label="Column name"
          onSave={rename}
        />
        <span className="count">{cards.length}</span>
        <button
          type="button"
          className="icon danger"
          title="Delete column"
          aria-label={`Delete column ${column.title}`}
          onClick={() => {
            if (cards.length === 0 || confirm(`Delete “${column.title}” and its cards?`)) remove()
          }}
        >
          ×
        </button>
      </header>
      <ol className="cards">
        {entries.map((entry, index) => (
          <CardView
            key={entry.id}
            column={id}
            id={entry.id}
            card={entry.value}
            index={index}
            count={entries.length}
          />
        ))}
      </ol>
      <AddCard onAdd={addCard} />
    </section>
  )
}

function useMoveCard() {
  // `toIndex` is the card's final position, or with `before` the position of the card it is
  // dropped onto (which shifts up by one when the dragged card came from above it).
  return useMutation((room, from: Dragged, toColumn: string, toIndex: number, before = false) => {
    const source = room.list<Card>(cardsKey(from.column))
    const index = source.indexOf(from.id)
    const card = source.get()[index]
    if (card === undefined) return
    if (from.column === toColumn) {
      const target = before && index < toIndex ? toIndex - 1 : toIndex
      source.move(index, Math.max(0, Math.min(target, source.length - 1)))
    } else {
      source.delete(index)
      room.list<Card>(cardsKey(toColumn)).insert(toIndex, card)
    }
  }, [])
}

function CardView({
  column,
  id,
  card,
  index,
  count,
}: {
  column: string
  id: string
  card: Card
  index: number
  count: number
}) {
  const columns = useColumns()
  const position = columns.findIndex(([columnId]) => columnId === column)
  const previous = columns[position - 1]?.[0]
  const next = columns[position + 1]?.[0]
  const moveCard = useMoveCard()
  const [, updateMe] = useMyPresence<Presence>()
  // Who else is editing this card right now (re-renders only when that changes).
  const editors = useOthers<Presence, Presence[]>(
    (others) => others.filter((other) => other.state.editing === id).map((other) => other.state),
    shallow,
  )
  const [dropBefore, setDropBefore] = useState(false)

  const rename = useMutation(
    (room, title: string) => {
      const list = room.list<Card>(cardsKey(column))
      const at = list.indexOf(id)
      const current = list.get()[at]
      if (current) list.set(at, { ...current, title })
    },
    [column, id],
  )
  const remove = useMutation(
    (room) => {
      const list = room.list(cardsKey(column))
      const at = list.indexOf(id)
      if (at >= 0) list.delete(at)
    },
    [column, id],
  )
  const here = { column, id }
  const editor = editors[0]

  return (
    <li
      className={`card${dropBefore ? ' drop-before' : ''}${editor ? ' being-edited' : ''}`}
      style={editor ? { borderColor: editor.color } : undefined}
      data-card={card.title}
      draggable
      onDragStart={(event) => {
        dragged = here
        event.dataTransfer.effectAllowed = 'move'
        event.dataTransfer.setData('text/plain', card.title)
      }}
      onDragEnd={() => {
        dragged = null
      }}
      onDragOver={(event) => {
        if (!dragged) return
        event.preventDefault()
        event.stopPropagation()
        setDropBefore(true)
      }}
      onDragLeave={() => setDropBefore(false)}
      onDrop={(event) => {
        event.preventDefault()
        event.stopPropagation()
        setDropBefore(false)
        if (dragged && dragged.id !== id) moveCard(dragged, column, index, true)
        dragged = null
      }}
    >
      <InlineEdit
        className="card-title"
        value={card.title}
        label="Card title"
        onSave={rename}
        onEditing={(editing) => updateMe({ editing: editing ? id : null })}
      />
      {editor && (
        <span className="editing-tag" style={{ background: editor.color }}>
          {editor.name} is editing
        </span>
      )}
      <div className="card-actions">
        {[
          {
            glyph: '←',
            label: 'Move left',
            title: 'Move to previous column',
            to: previous && ([previous, 0] as const),
          },
          {
            glyph: '↑',
            label: 'Move up',
            title: 'Move up',
            to: index > 0 && ([column, index - 1] as const),
          },
          {
            glyph: '↓',
            label: 'Move down',
            title: 'Move down',
            to: index < count - 1 && ([column, index + 1] as const),
          },
          {
            glyph: '→',
            label: 'Move right',
            title: 'Move to next column',
            to: next && ([next, 0] as const),
          },
        ].map(({ glyph, label, title, to }) => (
          <button
            key={label}
            type="button"
            className="icon"
            title={title}
            aria-label={label}
            disabled={!to}
            onClick={() => to && moveCard(here, to[0], to[1])}
          >
            {glyph}
          </button>
        ))}
        <button
          type="button"
          className="icon danger"
          title="Delete card"
          aria-label="Delete card"
          onClick={() => remove()}
        >
          ×
        </button>
      </div>
    </li>
  )
}

function AddCard({ onAdd }: { onAdd: (title: string) => void }) {
  const [open, setOpen] = useState(false)
  const [text, setText] = useState('')
  if (!open) {
    return (
      <button type="button" className="add-card" onClick={() => setOpen(true)}>
        + Add a card
      </button>
    )
  }
  const submit = () => {
    const title = text.trim()
    if (title) onAdd(title)
    setText('')
  }
  return (
    <form
      className="add-card-form"
      onSubmit={(event) => {
        event.preventDefault()
        submit()
      }}
    >
      <input
        // biome-ignore lint/a11y/noAutofocus: the user just asked for this input
        autoFocus
        aria-label="New card title"
        placeholder="What needs doing?"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false)
        }}
        onBlur={() => {
          if (!text.trim()) setOpen(false)
        }}
      />
      <div className="add-card-buttons">
        <button type="submit" className="primary">
          Add card
        </button>
        <button type="button" className="ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** Text that becomes an input on click; Enter or blur saves, Escape cancels. */
function InlineEdit({
  value,
  onSave,
  onEditing,
  className,
  label,
}: {
  value: string
  onSave: (value: string) => void
  onEditing?: (editing: boolean) => void
  className: string
  label: string
}) {
  const [draft, setDraft] = useState<string | null>(null)
  const cancelled = useRef(false)
  const start = () => {
    cancelled.current = false
    setDraft(value)
    onEditing?.(true)
  }
  const finish = () => {
    const next = draft?.trim()
    if (!cancelled.current && next && next !== value) onSave(next)
    setDraft(null)
    onEditing?.(false)
  }
  if (draft === null) {
    return (
      <button
        type="button"
        className={`inline-edit ${className}`}
        title={`Edit ${label.toLowerCase()}`}
        onClick={start}
      >
        {value}
      </button>
    )
  }
  return (
    <input
      // biome-ignore lint/a11y/noAutofocus: editing starts on click
      autoFocus
      className={`inline-input ${className}`}
      aria-label={label}
      value={draft}
      onChange={(event) => setDraft(event.target.value)}
      onFocus={(event) => event.currentTarget.select()}
      onBlur={finish}
      onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
        if (event.key === 'Enter') event.currentTarget.blur()
        if (event.key === 'Escape') {
          cancelled.current = true
          event.currentTarget.blur()
        }
      }}
    />
  )
}

// ---------------------------------------------------------------------------------------------
// Top bar: who is here, history, connection and save status.

function Avatars({ me, onRename }: { me: Presence | null; onRename: (name: string) => void }) {
  // One avatar per person (a person with two windows open shows once).
  const others = useOthers<Presence, Presence[]>(
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

function HistoryButtons() {
  const undo = useUndo()
  const redo = useRedo()
  const canUndo = useCanUndo()
  const canRedo = useCanRedo()
  const mac = /Mac|iPhone|iPad/.test(navigator.platform)
  return (
    <div className="history">
      <button
        type="button"
        className="icon"
        onClick={undo}
        disabled={!canUndo}
        aria-label="Undo"
        title={`Undo your last change (${mac ? '⌘Z' : 'Ctrl+Z'})`}
      >
        ↶
      </button>
      <button
        type="button"
        className="icon"
        onClick={redo}
        disabled={!canRedo}
        aria-label="Redo"
        title={`Redo (${mac ? '⇧⌘Z' : 'Ctrl+Shift+Z'})`}
      >
        ↷
      </button>
    </div>
  )
}

/** Ctrl/Cmd-Z undoes, Shift-Ctrl/Cmd-Z (or Ctrl-Y) redoes; text fields keep their own undo. */
function useHistoryShortcuts() {
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

function ConnectionBadge() {
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

function SaveBadge() {
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

function randomId(): string {
  return Math.random().toString(36).slice(2, 10)
}
