// @vitest-environment happy-dom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import {
  useCounter,
  useList,
  useMap,
  useMutation,
  useRoom,
  useSelector,
  useText,
  useValue,
} from '../src/index.js'
import { cleanupAfterEach, inRoom, startRelay, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

interface Todo {
  title: string
  done: boolean
}

function Board({ id }: { id: string }) {
  const [title, setTitle] = useValue('title', 'Untitled')
  const todos = useList<Todo>('todos')
  const [notes, setNotes] = useText('notes')
  const [votes, vote] = useCounter('votes')
  const settings = useMap<{ owner: string }>('settings')
  const addTodo = useMutation(
    ({ room }, text: string) => {
      room.list<Todo>('todos').push({ title: text, done: false })
      room.map<{ owner: string }>('settings').set('owner', id)
    },
    [id],
  )
  return (
    <section data-testid={id}>
      <h1>{title}</h1>
      <button type="button" onClick={() => setTitle('Sprint')}>
        rename {id}
      </button>
      <button type="button" onClick={() => addTodo(`todo from ${id}`)}>
        add {id}
      </button>
      <button type="button" onClick={() => vote()}>
        vote {id}
      </button>
      <textarea
        aria-label={`notes ${id}`}
        value={notes}
        onChange={(e) => setNotes(e.target.value)}
      />
      <output>
        {votes} votes, owner {settings.owner ?? 'none'}, {todos.map((todo) => todo.title).join('|')}
      </output>
    </section>
  )
}

describe('data hooks', () => {
  it('converge between two rendered trees through the relay', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    render(inRoom(testClient(url), name, <Board id="a" />))
    render(inRoom(testClient(url), name, <Board id="b" />))
    const a = screen.getByTestId('a')
    const b = screen.getByTestId('b')
    expect(b.querySelector('h1')?.textContent).toBe('Untitled')

    fireEvent.click(screen.getByText('rename a'))
    fireEvent.click(screen.getByText('add a'))
    fireEvent.click(screen.getByText('vote a'))
    fireEvent.click(screen.getByText('vote b'))
    fireEvent.change(screen.getByLabelText('notes b'), { target: { value: 'hello' } })

    const expected = '2 votes, owner a, todo from a'
    await waitFor(() => {
      for (const tree of [a, b]) {
        expect(tree.querySelector('h1')?.textContent).toBe('Sprint')
        expect(tree.querySelector('output')?.textContent).toBe(expected)
        expect(tree.querySelector('textarea')?.value).toBe('hello')
      }
    })
  })

  it('re-render a component only when what it selected changed', async () => {
    const { url } = await startRelay()
    const name = uniqueRoom()
    const renders = { third: 0, all: 0 }
    function ThirdTitle() {
      renders.third++
      return (
        <p data-testid="third">
          {useList<Todo, string | undefined>('todos', (todos) => todos[3]?.title)}
        </p>
      )
    }
    function All() {
      renders.all++
      return (
        <p data-testid="all">
          {useList<Todo>('todos')
            .map((todo) => todo.title)
            .join(',')}
        </p>
      )
    }
    render(
      inRoom(
        testClient(url),
        name,
        <>
          <ThirdTitle />
          <All />
        </>,
      ),
    )
    let other!: ReturnType<typeof useRoom>
    function Writer() {
      other = useRoom()
      return null
    }
    render(inRoom(testClient(url), name, <Writer />))
    const todos = () => other.list<Todo>('todos')
    const titles = Array.from({ length: 10 }, (_, i) => `t${i}`)

    act(() => todos().push(...titles.map((title) => ({ title, done: false }))))
    await waitFor(() => expect(screen.getByTestId('all').textContent).toBe(titles.join(',')))
    expect(screen.getByTestId('third').textContent).toBe('t3')
    const before = { ...renders }

    // todos[7] changes, remotely: the component selecting todos[3].title does not render.
    act(() => todos().set(7, { title: 'seven', done: true }))
    await waitFor(() => expect(screen.getByTestId('all').textContent).toContain('seven'))
    expect(renders).toEqual({ third: before.third, all: before.all + 1 })

    // todos[3] changes: it renders exactly once.
    act(() => todos().set(3, { title: 'three', done: false }))
    await waitFor(() => expect(screen.getByTestId('third').textContent).toBe('three'))
    expect(renders).toEqual({ third: before.third + 1, all: before.all + 2 })
  })
})

describe('useSelector', () => {
  it('selects from the whole state: every opened primitive as JSON, keyed by key', async () => {
    const { url } = await startRelay()
    const client = testClient(url)
    const name = uniqueRoom()
    let root: unknown
    function Third() {
      root = useSelector((state) => state)
      return <p>{useSelector((state: { todos?: Todo[] }) => state.todos?.[3]?.title) ?? 'none'}</p>
    }
    function Todos() {
      useList<Todo>('todos')
      useCounter('votes')
      return null
    }
    render(inRoom(client, name, <Todos />))
    render(inRoom(client, name, <Third />))
    const room = client.room(name)
    await waitFor(() => expect(root).toEqual({ todos: [], votes: 0 }))

    act(() =>
      room
        .list<Todo>('todos')
        .push(...Array.from({ length: 8 }, (_, i) => ({ title: `t${i}`, done: false }))),
    )
    await screen.findByText('t3')
    expect(root).toEqual({
      todos: Array.from({ length: 8 }, (_, i) => ({ title: `t${i}`, done: false })),
      votes: 0,
    })
    expect(root).toBe(room.snapshot())
    act(() => room.counter('votes').increment())
    expect(root).toMatchObject({ votes: 1 })
  })

  it('does not re-render for a change outside the selection', async () => {
    const { url } = await startRelay()
    const client = testClient(url)
    const name = uniqueRoom()
    let renders = 0
    function Third() {
      renders++
      return <p>{useSelector((state: { todos?: Todo[] }) => state.todos?.[3]?.title) ?? 'none'}</p>
    }
    function Opener() {
      useList('todos')
      useCounter('votes')
      return null
    }
    render(
      inRoom(
        client,
        name,
        <>
          <Opener />
          <Third />
        </>,
      ),
    )
    const room = client.room(name)
    act(() =>
      room
        .list<Todo>('todos')
        .push(...Array.from({ length: 8 }, (_, i) => ({ title: `t${i}`, done: false }))),
    )
    await screen.findByText('t3')
    const before = renders
    act(() => room.list<Todo>('todos').set(7, { title: 'seven', done: true }))
    act(() => room.counter('votes').increment())
    expect(renders).toBe(before)
    act(() => room.list<Todo>('todos').set(3, { title: 'three', done: true }))
    expect(screen.getByText('three')).toBeTruthy()
    expect(renders).toBe(before + 1)
  })
})
