// @vitest-environment happy-dom

import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { bindText, bindValue, renderList } from '../src/dom/index.js'
import { SharedList, SharedText, SharedValue } from '../src/index.js'

/** A second replica whose edits reach the first at once, as remote edits. */
function remoteReplica(doc: Y.Doc) {
  const remote = new Y.Doc()
  Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc))
  remote.on('update', (update: Uint8Array) => Y.applyUpdate(doc, update, 'remote'))
  return remote
}

describe('bindText', () => {
  it('writes typing into the text and keeps the caret in place on remote edits', () => {
    const doc = new Y.Doc()
    const text = new SharedText(doc.getText('t'))
    text.set('hello world')
    const input = document.createElement('input')
    document.body.append(input)
    const unbind = bindText(input, text)
    expect(input.value).toBe('hello world')

    input.value = 'hello brave world'
    input.dispatchEvent(new Event('input'))
    expect(text.get()).toBe('hello brave world')

    input.focus()
    input.setSelectionRange(12, 12) // before "world"
    const remote = new SharedText(remoteReplica(doc).getText('t'))
    remote.insert(0, '>> ') // before the caret: it moves along
    remote.insert(remote.get().length, '!') // after the caret: it stays
    expect(input.value).toBe('>> hello brave world!')
    expect(input.selectionStart).toBe(15)
    expect(input.value.slice(input.selectionStart ?? 0)).toBe('world!')

    unbind()
    remote.insert(0, 'x')
    expect(input.value).toBe('>> hello brave world!')
  })
})

describe('bindValue', () => {
  it('binds a checkbox to a boolean', () => {
    const doc = new Y.Doc()
    const done = new SharedValue(doc.getMap<boolean>('done'), false)
    const checkbox = document.createElement('input')
    checkbox.type = 'checkbox'
    bindValue(checkbox, done)
    expect(checkbox.checked).toBe(false)
    checkbox.checked = true
    checkbox.dispatchEvent(new Event('change'))
    expect(done.get()).toBe(true)
    done.set(false)
    expect(checkbox.checked).toBe(false)
  })

  it('binds a select to a string and a multiple select to an array', () => {
    document.body.innerHTML = `
      <select id="one"><option>red</option><option>green</option></select>
      <select id="many" multiple><option>a</option><option>b</option><option>c</option></select>`
    const doc = new Y.Doc()
    const color = new SharedValue(doc.getMap<string>('color'), 'green')
    const tags = new SharedValue<string[]>(doc.getMap('tags'), [])
    const one = document.querySelector('#one') as HTMLSelectElement
    const many = document.querySelector('#many') as HTMLSelectElement
    bindValue(one, color)
    bindValue(many, tags)
    expect(one.value).toBe('green')
    one.value = 'red'
    one.dispatchEvent(new Event('change'))
    expect(color.get()).toBe('red')

    tags.set(['a', 'c'])
    expect(
      Array.from(many.options)
        .filter((option) => option.selected)
        .map((option) => option.value),
    ).toEqual(['a', 'c'])
    ;(many.options[1] as HTMLOptionElement).selected = true
    many.dispatchEvent(new Event('change'))
    expect(tags.get()).toEqual(['a', 'b', 'c'])
  })
})

describe('renderList', () => {
  it('renders items and re-renders only those that changed', () => {
    const doc = new Y.Doc()
    const list = new SharedList<string>(doc.getArray('l'))
    list.push('a', 'b', 'c')
    const ul = document.createElement('ul')
    const render = vi.fn((value: string) => {
      const li = document.createElement('li')
      li.textContent = value
      return li
    })
    const unbind = renderList(ul, list, render)
    expect(ul.textContent).toBe('abc')
    const [, , third] = Array.from(ul.children)

    render.mockClear()
    list.set(1, 'B')
    expect(ul.textContent).toBe('aBc')
    expect(render).toHaveBeenCalledTimes(1)
    expect(ul.children[2]).toBe(third)

    list.delete(0)
    expect(ul.textContent).toBe('Bc')
    list.push('d')
    expect(ul.textContent).toBe('Bcd')
    unbind()
    list.clear()
    expect(ul.textContent).toBe('Bcd')
  })
})
