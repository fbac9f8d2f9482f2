/** A value that cannot be stored: not JSON, or not a kind the model knows. */
export function notStorable(path: string, what: string): TypeError {
  return new TypeError(`${what} at ${path || 'the root'} cannot be stored: values must be JSON`)
}

/** Storage that holds another kind of value than the code expects (e.g. a list, not an object). */
export class ShapeMismatchError extends Error {
  override readonly name = 'ShapeMismatchError'
  readonly path: string
  readonly expected: string
  readonly found: string

  constructor(path: string, expected: string, found: string) {
    super(`storage at ${path} is a ${found}, but this client expects a ${expected}`)
    this.path = path
    this.expected = expected
    this.found = found
  }
}

/** `todos[3].title` from `todos`, 3 and `title`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}
