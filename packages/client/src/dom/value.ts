import type { SharedValue } from '../primitives/value.js'

/**
 * Two-way binding of a form control to a shared value:
 * - a checkbox to a boolean (`checked`);
 * - a `<select multiple>` to the array of selected option values;
 * - a `<select>` or any other `<input>` to a string (`value`).
 * The value is written on `change`, i.e. once per choice rather than per keystroke; use
 * `bindText` for text that several people edit at once. Returns the unbind function.
 */
export function bindValue(
  element: HTMLInputElement | HTMLSelectElement,
  value: SharedValue<boolean> | SharedValue<string> | SharedValue<string[]> | SharedValue<unknown>,
): () => void {
  const shared = value as SharedValue<unknown>
  const onChange = (): void => shared.set(read(element))
  element.addEventListener('change', onChange)
  write(element, shared.get())
  const unsubscribe = shared.subscribe((next) => write(element, next))
  return () => {
    element.removeEventListener('change', onChange)
    unsubscribe()
  }
}

function read(element: HTMLInputElement | HTMLSelectElement): unknown {
  if (isCheckbox(element)) return element.checked
  if (isMultipleSelect(element)) {
    return Array.from(element.options)
      .filter((option) => option.selected)
      .map((option) => option.value)
  }
  return element.value
}

function write(element: HTMLInputElement | HTMLSelectElement, value: unknown): void {
  if (isCheckbox(element)) {
    element.checked = value === true
  } else if (isMultipleSelect(element)) {
    for (const option of Array.from(element.options)) {
      option.selected = Array.isArray(value) && value.includes(option.value)
    }
  } else {
    element.value = value === undefined || value === null ? '' : String(value)
  }
}

// Tag names rather than `instanceof`: elements may come from another window (an iframe).
function isCheckbox(
  element: HTMLInputElement | HTMLSelectElement,
): element is HTMLInputElement & { type: 'checkbox' } {
  return element.tagName === 'INPUT' && element.type === 'checkbox'
}

function isMultipleSelect(
  element: HTMLInputElement | HTMLSelectElement,
): element is HTMLSelectElement & { multiple: true } {
  return element.tagName === 'SELECT' && (element as HTMLSelectElement).multiple
}
