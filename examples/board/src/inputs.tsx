// Small inputs of the board: a card's "add" form and text that is edited in place.
import { type KeyboardEvent, useRef, useState } from 'react'

export function AddCard({ onAdd }: { onAdd: (title: string) => void }) {
  const [open, setOpen] = useState(false)
  const [text, setText] = useState('')
  if (!open) {
    return (
      <button type="button" className="add-card" onClick={() => setOpen(true)}>
        + Add a card
      </button>
    )
  }
  const submit = () => {
    const title = text.trim()
    if (title) onAdd(title)
    setText('')
  }
  return (
    <form
      className="add-card-form"
      onSubmit={(event) => {
        event.preventDefault()
        submit()
      }}
    >
      <input
        // biome-ignore lint/a11y/noAutofocus: the user just asked for this input
        autoFocus
        aria-label="New card title"
        placeholder="What needs doing?"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false)
        }}
        onBlur={() => {
          if (!text.trim()) setOpen(false)
        }}
      />
      <div className="add-card-buttons">
        <button type="submit" className="primary">
          Add card
        </button>
        <button type="button" className="ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** Text that becomes an input on click; Enter or blur saves, Escape cancels. */
export function InlineEdit({
  value,
  onSave,
  onEditing,
  className,
  label,
}: {
  value: string
  onSave: (value: string) => void
  onEditing?: (editing: boolean) => void
  className: string
  label: string
}) {
  const [draft, setDraft] = useState<string | null>(null)
  const cancelled = useRef(false)
  const start = () => {
    cancelled.current = false
    setDraft(value)
    onEditing?.(true)
  }
  const finish = () => {
    const next = draft?.trim()
    if (!cancelled.current && next && next !== value) onSave(next)
    setDraft(null)
    onEditing?.(false)
  }
  if (draft === null) {
    return (
      <button
        type="button"
        className={`inline-edit ${className}`}
        title={`Edit ${label.toLowerCase()}`}
        onClick={start}
      >
        {value}
      </button>
    )
  }
  return (
    <input
      // biome-ignore lint/a11y/noAutofocus: editing starts on click
      autoFocus
      className={`inline-input ${className}`}
      aria-label={label}
      value={draft}
      onChange={(event) => setDraft(event.target.value)}
      onFocus={(event) => event.currentTarget.select()}
      onBlur={finish}
      onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
        if (event.key === 'Enter') event.currentTarget.blur()
        if (event.key === 'Escape') {
          cancelled.current = true
          event.currentTarget.blur()
        }
      }}
    />
  )
}
