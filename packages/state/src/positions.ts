import { generateNKeysBetween } from 'fractional-indexing'

/**
 * `count` positions (fractional indexes) strictly between `before` and `after` (either may be
 * missing: the list's start or end), so an item is placed or moved by writing one string.
 */
export function positionsBetween(
  before: string | undefined,
  after: string | undefined,
  count: number,
): string[] {
  return generateNKeysBetween(before ?? null, after ?? null, count)
}
