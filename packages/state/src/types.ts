import type { LiveList } from './live-list.js'
import type { LiveObject } from './live-object.js'
import type { LiveText } from './live-text.js'

/**
 * What storage holds, declared once as a plain type: JSON scalars, arrays (lists), objects,
 * and `LiveText` for collaborative text. Interfaces work as well as type aliases.
 */
export type Scalar = null | boolean | number | string

/** The live (mutable) view of a stored value of type `T`. */
export type Live<T> = T extends LiveText
  ? LiveText
  : T extends Scalar
    ? T
    : T extends readonly (infer U)[]
      ? LiveList<U>
      : T extends object
        ? LiveObject<T>
        : T

/** The immutable snapshot of a stored value of type `T`: text reads as a string. */
export type Snapshot<T> = T extends LiveText
  ? string
  : T extends Scalar
    ? T
    : T extends readonly (infer U)[]
      ? readonly Snapshot<U>[]
      : T extends object
        ? { readonly [K in keyof T]: Snapshot<T[K]> }
        : T
