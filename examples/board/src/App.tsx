// A collaborative task board on @accord/react's nested storage (see ./model.ts): the room
// `board/<name>` holds the board's title, its columns and one list of cards that name their
// column. Presence: { name, color, editing } per window.
import { idsOf, type Snapshot } from '@accord/client'
import {
  AccordProvider,
  RoomProvider,
  shallow,
  useMutation,
  useMyPresence,
  useOthers,
  useRoomLoaded,
  useStorage,
} from '@accord/react'
import { type DragEvent, memo, useState } from 'react'
import { loadIdentity, saveIdentity } from './identity.js'
import { AddCard, InlineEdit } from './inputs.js'
import { type Card, cardIdsIn, initialStorage, moveCard, newCard, type Presence } from './model.js'
import {
  Avatars,
  ConnectionBadge,
  HistoryButtons,
  SaveBadge,
  useHistoryShortcuts,
} from './topbar.js'

const relayUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`
const boardName = decodeURIComponent(location.hash.slice(1)) || 'main'
const identity = loadIdentity()

export function App() {
  return (
    <AccordProvider url={relayUrl}>
      <RoomProvider
        name={`board/${boardName}`}
        initialStorage={initialStorage}
        initialPresence={{ ...identity, editing: null }}
      >
        <Board />
      </RoomProvider>
    </AccordProvider>
  )
}

/** The card being dragged. */
let dragged: string | null = null

function Board() {
  const loaded = useRoomLoaded()
  const title = useStorage((root) => root.title)
  const columns = useStorage((root) => root.columns)
  const [me, updateMe] = useMyPresence()
  useHistoryShortcuts()

  const setTitle = useMutation(({ storage }, next: string) => storage.set('title', next), [])
  const addColumn = useMutation(({ storage }) => {
    storage.get('columns').push({ id: randomId(), title: 'New column' })
  }, [])

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-left">
          <div className="logo" aria-hidden="true" />
          <InlineEdit className="board-title" value={title} label="Board name" onSave={setTitle} />
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
        {columns.map((column, index) => (
          <ColumnView
            key={column.id}
            id={column.id}
            title={column.title}
            previous={columns[index - 1]?.id}
            next={columns[index + 1]?.id}
          />
        ))}
        <button type="button" className="add-column" onClick={() => addColumn()}>
          + Add column
        </button>
      </main>
    </div>
  )
}

interface Neighbours {
  /** The columns to the left and right, where the arrow buttons move a card. */
  previous: string | undefined
  next: string | undefined
}

function ColumnView({ id, title, previous, next }: { id: string; title: string } & Neighbours) {
  // Only this column's card ids: adding a card elsewhere or editing one does not render it.
  const cardIds = useStorage((root) => cardIdsIn(root.cards, id), shallow)
  const [over, setOver] = useState(false)

  const rename = useMutation(
    ({ storage }, next: string) => {
      const columns = storage.get('columns')
      columns.get(columns.snapshot().findIndex((column) => column.id === id))?.set('title', next)
    },
    [id],
  )
  const remove = useMutation(
    ({ storage }) => {
      const columns = storage.get('columns')
      columns.delete(columns.snapshot().findIndex((column) => column.id === id))
      const cards = storage.get('cards')
      for (const card of cardIdsIn(cards.snapshot(), id)) cards.delete(cards.indexOf(card))
    },
    [id],
  )
  const addCard = useMutation(
    ({ storage }, title: string) => storage.get('cards').push(newCard(title, id)),
    [id],
  )
  const move = useMoveCard()

  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setOver(false)
    if (dragged) move(dragged, id, cardIds.length)
    dragged = null
  }

  return (
    <section
      className={`column${over ? ' drop' : ''}`}
      data-column={id}
      aria-label={title}
      onDragOver={(event) => {
        if (!dragged) return
        event.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <header className="column-head">
        <InlineEdit className="column-title" value={title} label="Column name" onSave={rename} />
        <span className="count">{cardIds.length}</span>
        <button
          type="button"
          className="icon danger"
          title="Delete column"
          aria-label={`Delete column ${title}`}
          onClick={() => {
            if (cardIds.length === 0 || confirm(`Delete “${title}” and its cards?`)) remove()
          }}
        >
          ×
        </button>
      </header>
      <ol className="cards">
        {cardIds.map((cardId, index) => (
          <CardView
            key={cardId}
            id={cardId}
            column={id}
            index={index}
            count={cardIds.length}
            previous={previous}
            next={next}
          />
        ))}
      </ol>
      <AddCard onAdd={addCard} />
    </section>
  )
}

/** Moves a card to `index` among the cards of `column` (its own or another). */
function useMoveCard() {
  return useMutation(({ storage }, id: string, column: string, index: number) => {
    moveCard(storage.get('cards'), id, column, index)
  }, [])
}

/** Where an arrow button moves a card, if it can. */
const target = (column: string | false | undefined, index: number) =>
  column ? ([column, index] as const) : undefined

const cardById = (cards: Snapshot<Card[]>, id: string) => cards[idsOf(cards).indexOf(id)]

interface CardProps extends Neighbours {
  id: string
  column: string
  index: number
  count: number
}

// Memoized: a card renders again only when its own snapshot, place or editors change.
const CardView = memo(function CardView({ id, column, index, count, previous, next }: CardProps) {
  const card = useStorage((root) => cardById(root.cards, id))
  const move = useMoveCard()
  const [, updateMe] = useMyPresence()
  // Who else is editing this card right now (re-renders only when that changes).
  const editors = useOthers(
    (others) => others.filter((other) => other.state.editing === id).map((other) => other.state),
    shallow,
  )
  const [dropBefore, setDropBefore] = useState(false)

  const edit = useMutation(
    ({ storage }, change: { title?: string; done?: boolean }) => {
      const cards = storage.get('cards')
      const live = cards.get(cards.indexOf(id))
      if (change.title !== undefined) live?.get('title').set(change.title)
      if (change.done !== undefined) live?.set('done', change.done)
    },
    [id],
  )
  const remove = useMutation(
    ({ storage }) => {
      const cards = storage.get('cards')
      const at = cards.indexOf(id)
      if (at >= 0) cards.delete(at)
    },
    [id],
  )
  if (card === undefined) return null
  const editor: Presence | undefined = editors[0]
  const actions = [
    {
      glyph: '←',
      label: 'Move left',
      title: 'Move to previous column',
      to: target(previous, 0),
    },
    { glyph: '↑', label: 'Move up', title: 'Move up', to: target(index > 0 && column, index - 1) },
    {
      glyph: '↓',
      label: 'Move down',
      title: 'Move down',
      to: target(index < count - 1 && column, index + 1),
    },
    { glyph: '→', label: 'Move right', title: 'Move to next column', to: target(next, 0) },
  ]

  return (
    <li
      className={`card${dropBefore ? ' drop-before' : ''}${editor ? ' being-edited' : ''}${card.done ? ' done' : ''}`}
      style={editor ? { borderColor: editor.color } : undefined}
      data-card={card.title}
      data-done={card.done}
      draggable
      onDragStart={(event) => {
        dragged = id
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
        if (dragged && dragged !== id) move(dragged, column, index)
        dragged = null
      }}
    >
      <div className="card-main">
        <input
          type="checkbox"
          className="card-done"
          aria-label="Done"
          checked={card.done}
          onChange={(event) => edit({ done: event.target.checked })}
        />
        <InlineEdit
          className="card-title"
          value={card.title}
          label="Card title"
          onSave={(title) => edit({ title })}
          onEditing={(editing) => updateMe({ editing: editing ? id : null })}
        />
      </div>
      {editor && (
        <span className="editing-tag" style={{ background: editor.color }}>
          {editor.name} is editing
        </span>
      )}
      <div className="card-actions">
        {actions.map(({ glyph, label, title, to }) => (
          <button
            key={label}
            type="button"
            className="icon"
            title={title}
            aria-label={label}
            disabled={!to}
            onClick={() => to && move(id, to[0], to[1])}
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
})

function randomId(): string {
  return Math.random().toString(36).slice(2, 10)
}
