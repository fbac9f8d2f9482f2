import type { LiveObject, Room } from '@accord/client'

declare global {
  /**
   * An app's room types, declared once for every hook:
   *
   * ```ts
   * declare global {
   *   interface AccordTypes {
   *     Storage: { todos: Todo[] }
   *     Presence: { name: string; cursor: { x: number; y: number } | null }
   *   }
   * }
   * ```
   *
   * Or, for several kinds of rooms in one app, `createRoomContext<Presence, Storage>()`.
   */
  interface AccordTypes {}
}

type Declared<K extends string> = AccordTypes extends { [key in K]: infer T extends object }
  ? T
  : Record<string, unknown>

/** The storage shape declared in `AccordTypes`, or any JSON object. */
export type DeclaredStorage = Declared<'Storage'>

/** The presence shape declared in `AccordTypes`, or any JSON object. */
export type DeclaredPresence = Declared<'Presence'>

/** What a `useMutation` callback gets: the typed storage root, and the room around it. */
export interface MutationContext<P extends object, S extends object> {
  storage: LiveObject<S>
  room: Room<P, S>
  /** My presence when the mutation runs; null until I set one. */
  self: P | null
  setMyPresence(partial: Partial<P>): void
}
