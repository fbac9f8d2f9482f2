// The board's shared state, declared once for every @accord/react hook of the app.
import { idsOf, type LiveList, LiveText, type Snapshot } from '@accord/client'
import type { Identity } from './identity.js'

export interface Column {
  id: string
  title: string
}

/**
 * Every card of the board is in one list, and names its column: moving a card between columns
 * sets that field, so two people moving one card at once still leave one card.
 */
export interface Card {
  title: LiveText
  column: string
  done: boolean
}

export interface BoardStorage {
  title: string
  columns: Column[]
  cards: Card[]
}

export interface Presence extends Identity {
  /** The id of the card I am editing. */
  editing: string | null
}

declare global {
  interface AccordTypes {
    Storage: BoardStorage
    Presence: Presence
  }
}

/** Written once per board, as the same update by every first visitor: they merge into one. */
export const initialStorage: BoardStorage = {
  title: 'Team board',
  columns: [
    { id: 'todo', title: 'To do' },
    { id: 'doing', title: 'In progress' },
    { id: 'done', title: 'Done' },
  ],
  cards: [],
}

export const newCard = (title: string, column: string): Card => ({
  title: new LiveText(title),
  column,
  done: false,
})

/** The ids of the cards in `column`, in board order. */
export function cardIdsIn(cards: Snapshot<Card[]>, column: string): string[] {
  const ids = idsOf(cards)
  return cards.flatMap((card, i) => (card.column === column ? [ids[i] as string] : []))
}

/**
 * Puts card `id` into `column` at `index` among that column's other cards: its column field is
 * set and its position moved (the card itself is never copied).
 */
export function moveCard(cards: LiveList<Card>, id: string, column: string, index: number): void {
  const from = cards.indexOf(id)
  const card = cards.get(from)
  if (card === undefined) return
  if (card.get('column') !== column) card.set('column', column)
  const others = cardIdsIn(cards.snapshot(), column).filter((other) => other !== id)
  if (others.length === 0) return
  // Just before the card now at `index`, or just after the column's last card.
  const before = others[index]
  const anchor = cards.indexOf(before ?? (others.at(-1) as string))
  const after = before === undefined ? 1 : 0
  cards.move(from, from < anchor ? anchor - 1 + after : anchor + after)
}
