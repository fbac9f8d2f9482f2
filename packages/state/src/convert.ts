import * as Y from 'yjs'
import { childPath, notStorable } from './errors.js'
import { POSITION, VALUE } from './layout.js'
import { LiveText } from './live-text.js'
import { positionsBetween } from './positions.js'

/** A value as stored in a Yjs type: a JSON scalar or a nested type. */
// biome-ignore lint/suspicious/noExplicitAny: Yjs types are invariant in their event type
export type Stored = null | boolean | number | string | Y.AbstractType<any>

/**
 * Turns an app's value into what storage holds: objects into `Y.Map`s, arrays into lists,
 * `LiveText` into `Y.Text`, scalars as they are. Anything that is not JSON (a `Date`, `Map`,
 * `BigInt`, function, `NaN`, `undefined` in an array, a cycle) is refused with a `TypeError`
 * naming its path, before anything is written. `undefined` object fields are left out, as
 * `JSON.stringify` does.
 */
export function toStored(value: unknown, path: string): Stored {
  return convert(value, path, new Set())
}

/** New item containers for `values`, positioned in order between `before` and `after`. */
export function toItems(
  values: readonly unknown[],
  before: string | undefined,
  after: string | undefined,
  path: string,
  first = 0,
): Y.Map<unknown>[] {
  const converted = values.map((value, i) => toStored(value, childPath(path, first + i)))
  const positions = positionsBetween(before, after, values.length)
  return converted.map((value, i) => item(positions[i] as string, value))
}

/** A list item's container: its position and its value. */
export function item(position: string, value: Stored): Y.Map<unknown> {
  const container = new Y.Map<unknown>()
  container.set(POSITION, position)
  container.set(VALUE, value)
  return container
}

function convert(value: unknown, path: string, parents: Set<object>): Stored {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw notStorable(path, String(value))
      return value
    case 'object':
      break
    case 'undefined':
      throw notStorable(path, 'undefined')
    default:
      throw notStorable(path, `a ${typeof value}`)
  }
  if (value === null) return null
  if (value instanceof LiveText) return new Y.Text(value.toString())
  if (parents.has(value)) throw notStorable(path, 'a cycle')
  parents.add(value)
  try {
    if (Array.isArray(value)) {
      const list = new Y.Array<Y.Map<unknown>>()
      const positions = positionsBetween(undefined, undefined, value.length)
      list.push(
        value.map((element, i) =>
          item(positions[i] as string, convert(element, childPath(path, i), parents)),
        ),
      )
      return list
    }
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      throw notStorable(path, `a ${proto?.constructor?.name ?? 'non-plain object'}`)
    }
    const map = new Y.Map<unknown>()
    for (const [key, field] of Object.entries(value)) {
      if (field !== undefined) map.set(key, convert(field, childPath(path, key), parents))
    }
    return map
  } finally {
    parents.delete(value)
  }
}

/** Canonical JSON of an app's value (text as `{"$text": …}`), for deterministic writes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field) =>
    field instanceof LiveText ? { $text: field.toString() } : field,
  )
}
