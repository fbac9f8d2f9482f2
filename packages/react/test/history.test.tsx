// @vitest-environment happy-dom
import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { useCanRedo, useCanUndo, useCounter, useRedo, useUndo } from '../src/index.js'
import { cleanupAfterEach, inRoom, startRelay, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

function Votes() {
  const [votes, vote] = useCounter('votes')
  const undo = useUndo()
  const redo = useRedo()
  return (
    <>
      <output>{votes}</output>
      <button type="button" onClick={() => vote()}>
        vote
      </button>
      <button type="button" disabled={!useCanUndo()} onClick={undo}>
        undo
      </button>
      <button type="button" disabled={!useCanRedo()} onClick={redo}>
        redo
      </button>
    </>
  )
}

describe('history hooks', () => {
  it('undo and redo this client’s changes, and say when they can', async () => {
    const { url } = await startRelay()
    // Every change its own undo step.
    render(inRoom(testClient(url, { history: { captureTimeout: 0 } }), uniqueRoom(), <Votes />))
    const button = (name: string) => screen.getByText(name) as HTMLButtonElement
    const votes = () => screen.getByRole('status').textContent
    expect([button('undo').disabled, button('redo').disabled]).toEqual([true, true])

    fireEvent.click(button('vote'))
    fireEvent.click(button('vote'))
    expect(votes()).toBe('2')
    expect([button('undo').disabled, button('redo').disabled]).toEqual([false, true])

    fireEvent.click(button('undo'))
    expect(votes()).toBe('1')
    expect([button('undo').disabled, button('redo').disabled]).toEqual([false, false])
    fireEvent.click(button('undo'))
    expect(votes()).toBe('0')
    expect([button('undo').disabled, button('redo').disabled]).toEqual([true, false])

    fireEvent.click(button('redo'))
    expect(votes()).toBe('1')
    expect([button('undo').disabled, button('redo').disabled]).toEqual([false, false])
  })
})
