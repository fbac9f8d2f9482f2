import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react'

export type Subscribe = (onChange: () => void) => () => void
export type Selector<S, R> = (snapshot: S) => R
export type IsEqual<R> = (a: R, b: R) => boolean

/**
 * `useSyncExternalStore` with a selector and an equality function: the component re-renders
 * only when the selected value changed by `isEqual` (default `Object.is`), whatever else in
 * the snapshot did. `getSnapshot` must return the same object until something changed, which
 * every @accord/client snapshot does; the selector runs once per new snapshot.
 *
 * This is the pattern of React's own `useSyncExternalStoreWithSelector`, kept to the few lines
 * we need so that every hook of this package goes through it.
 */
export function useSelectedSnapshot<S, R>(
  subscribe: Subscribe,
  getSnapshot: () => S,
  getServerSnapshot: () => S,
  selector: Selector<S, R>,
  isEqual: IsEqual<R> = Object.is,
): R {
  // The selection of the last commit: a new selection equal to it is replaced by it, so that
  // `useSyncExternalStore` sees the same value and skips the render.
  const committed = useRef<{ value: R } | null>(null)
  const [getSelection, getServerSelection] = useMemo(() => {
    let memo: { snapshot: S; selection: R } | undefined
    const select = (snapshot: S): R => {
      if (memo !== undefined && memo.snapshot === snapshot) return memo.selection
      let selection = selector(snapshot)
      const previous = committed.current
      if (previous !== null && isEqual(previous.value, selection)) selection = previous.value
      memo = { snapshot, selection }
      return selection
    }
    return [() => select(getSnapshot()), () => select(getServerSnapshot())]
  }, [getSnapshot, getServerSnapshot, selector, isEqual])
  const value = useSyncExternalStore(subscribe, getSelection, getServerSelection)
  useEffect(() => {
    committed.current = { value }
  }, [value])
  return value
}
