import type * as Y from 'yjs'
import type { SharedText } from '../primitives/text.js'

/**
 * Two-way binding of an `<input>` or `<textarea>` to a shared text. Local typing becomes the
 * smallest edit of the text; remote edits update the element with the caret and selection
 * moved along, so that someone typing elsewhere in the text does not make the caret jump.
 * Returns the unbind function.
 */
export function bindText(
  element: HTMLInputElement | HTMLTextAreaElement,
  text: SharedText,
): () => void {
  element.value = text.type.toString()
  const onInput = (): void => text.set(element.value)
  const onChange = (event: Y.YTextEvent): void => {
    const value = text.type.toString()
    // Our own input coming back through the observer: the element already shows it.
    if (value === element.value) return
    const { selectionStart, selectionEnd, selectionDirection } = element
    element.value = value
    if (
      selectionStart !== null &&
      selectionEnd !== null &&
      element.ownerDocument.activeElement === element
    ) {
      element.setSelectionRange(
        transformPosition(selectionStart, event.delta),
        transformPosition(selectionEnd, event.delta),
        selectionDirection ?? undefined,
      )
    }
  }
  element.addEventListener('input', onInput)
  text.type.observe(onChange)
  return () => {
    element.removeEventListener('input', onInput)
    text.type.unobserve(onChange)
  }
}

/** Where `position` in the old text ends up after `delta`. Inserts at the position stay after it. */
export function transformPosition(position: number, delta: Y.YTextEvent['delta']): number {
  let cursor = 0
  let moved = position
  for (const op of delta) {
    if (cursor >= position) break
    if (op.retain !== undefined) {
      cursor += op.retain
    } else if (typeof op.insert === 'string') {
      moved += op.insert.length
    } else if (op.delete !== undefined) {
      moved -= Math.min(op.delete, position - cursor)
      cursor += op.delete
    }
  }
  return moved
}
