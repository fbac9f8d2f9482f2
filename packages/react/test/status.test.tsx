// @vitest-environment happy-dom
import { act, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { useCounter, useStatus, useSyncStatus, useUnsavedChanges } from '../src/index.js'
import { cleanupAfterEach, inRoom, startRelay, testClient, uniqueRoom } from './helpers.js'

cleanupAfterEach()

describe('status hooks', () => {
  it('count the changes kept on this device while the relay is down', async () => {
    const { app, url } = await startRelay()
    let increment: (by?: number) => void = () => {}
    function Badge() {
      const [votes, add] = useCounter('votes')
      increment = add
      return (
        <p data-testid="badge">
          {useStatus()} {useSyncStatus()} {useUnsavedChanges()} {votes}
        </p>
      )
    }
    render(inRoom(testClient(url), uniqueRoom(), <Badge />))
    const badge = () => screen.getByTestId('badge').textContent
    await waitFor(() => expect(badge()).toBe('connected saved 0 0'))

    act(() => increment())
    await waitFor(() => expect(badge()).toBe('connected saved 0 1'))

    await app.close()
    await waitFor(() => expect(badge()).toMatch(/^(offline|connecting) saved 0 1$/))
    act(() => increment())
    act(() => increment(5))
    await waitFor(() => expect(badge()).toMatch(/^(offline|connecting) offline-changes 2 7$/))
  })
})
