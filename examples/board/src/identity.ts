// Who am I on this device: a name and a color, kept in localStorage. `?name=Ada` sets the name
// (handy for opening two windows as two people).

export interface Identity {
  name: string
  color: string
}

const COLORS = [
  '#6366f1',
  '#ec4899',
  '#f59e0b',
  '#10b981',
  '#06b6d4',
  '#8b5cf6',
  '#ef4444',
  '#84cc16',
]
const NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Linus',
  'Barbara',
  'Edsger',
  'Margaret',
  'Ken',
  'Radia',
  'Tim',
]
const KEY = 'accord-board-identity'

export function loadIdentity(): Identity {
  const fromUrl = new URLSearchParams(location.search).get('name')?.trim()
  let stored: Partial<Identity> = {}
  try {
    stored = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Identity>
  } catch {}
  const name = fromUrl || stored.name || pick(NAMES)
  const identity: Identity = {
    name,
    color: fromUrl || !stored.color ? colorFor(name) : stored.color,
  }
  saveIdentity(identity)
  return identity
}

export function saveIdentity(identity: Identity): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(identity))
  } catch {}
}

export function initials(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((part) => part[0]?.toUpperCase() ?? '')
      .join('') || '?'
  )
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T
}

/** A color that follows the name, so a person looks the same in every window. */
function colorFor(name: string): string {
  let hash = 0
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0
  return COLORS[hash % COLORS.length] as string
}
