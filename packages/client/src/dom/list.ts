import type { SharedList } from '../primitives/list.js'

/**
 * Renders a shared list into `container`, which it owns: `render` makes one node per item, and
 * is called again only for items whose value or position changed. Nodes of unchanged items are
 * kept, and only moved when out of place, so focus and input state inside them survive remote
 * edits elsewhere in the list. Returns the unbind function (the rendered nodes stay).
 */
export function renderList<T>(
  container: Element,
  list: SharedList<T>,
  render: (value: T, index: number, id: string) => Node,
): () => void {
  let rendered = new Map<string, { value: T; index: number; node: Node }>()
  const update = (): void => {
    const next = new Map<string, { value: T; index: number; node: Node }>()
    list.entries().forEach(({ id, value }, index) => {
      const old = rendered.get(id)
      const node =
        old !== undefined && old.value === value && old.index === index
          ? old.node
          : render(value, index, id)
      next.set(id, { value, index, node })
    })
    rendered = next
    let position = 0
    for (const { node } of next.values()) {
      const current = container.childNodes[position] ?? null
      if (current !== node) container.insertBefore(node, current)
      position++
    }
    while (container.childNodes.length > position) container.lastChild?.remove()
  }
  update()
  return list.subscribe(update)
}
