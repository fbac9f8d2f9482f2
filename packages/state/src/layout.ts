/**
 * How the model is laid out in Yjs types, so that a stock Yjs client (or server code) can read
 * and write it. Documented in the README under "Layout"; bump `SCHEMA_VERSION` on any change.
 *
 * - The storage root is `doc.getMap(ROOT)`, an object.
 * - An object (or a map with dynamic keys) is a `Y.Map`; a field holds a JSON scalar or a type.
 * - A list is a `Y.Array` of item containers, in no particular order: each container is a
 *   `Y.Map` with the item's position (`POSITION`, a fractional index) and its value (`VALUE`).
 *   Order = sort by position, ties broken by the container's Yjs id. A move rewrites the
 *   position only; a delete removes the container, with everything written into it since.
 * - Collaborative text is a `Y.Text`.
 * - `doc.getMap(META)` holds `{ schema: SCHEMA_VERSION }`.
 */
export const ROOT = 'storage'
export const META = 'accord'
export const SCHEMA_VERSION = 1
export const POSITION = 'p'
export const VALUE = 'v'
