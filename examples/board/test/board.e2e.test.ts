import { fileURLToPath } from 'node:url'
import type { Browser, Page, WebSocketRoute } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  launchBrowser,
  openPage,
  screenshot,
  skipBrowserTests,
  waitForOfflineShell,
} from '../../e2e-support/browser.js'
import { removeDataDir, startServer, tempDataDir } from '../../e2e-support/server.js'

type Server = Awaited<ReturnType<typeof startServer>>
type TestPage = Page & { errors: string[] }

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const ACK = 101 // @accord/protocol's ACK message type: the relay's "this is on disk"

describe.skipIf(skipBrowserTests)('board in Chromium', () => {
  let browser: Browser
  let server: Server | undefined
  let dataDir: string | undefined
  const pages: TestPage[] = []

  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close()
    await server?.close()
    server = undefined
    await removeDataDir(dataDir)
  })

  async function start() {
    dataDir = await tempDataDir()
    server = await startServer({ dataDir })
    return server
  }

  /** A person in their own browser (own IndexedDB), on the board. */
  async function person(name: string, prepare?: (page: TestPage) => Promise<void>) {
    const page = (await openPage(browser, undefined)) as TestPage
    pages.push(page)
    await prepare?.(page)
    await page.goto(`${server?.origin}/board/?name=${name}`)
    await expect.poll(() => connection(page)).toBe('Online')
    return page
  }

  const connection = (page: Page) => page.getByTestId('connection').textContent()
  const saveBadge = (page: Page) => page.getByTestId('save').textContent()
  const column = (page: Page, title: string) => page.locator(`section[aria-label="${title}"]`)
  const card = (page: Page, title: string) => page.locator(`li[data-card="${title}"]`)
  const titlesIn = (page: Page, columnTitle: string) =>
    column(page, columnTitle)
      .locator('li.card')
      .evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.card))

  async function addCards(page: Page, columnTitle: string, ...titles: string[]) {
    await column(page, columnTitle).getByRole('button', { name: '+ Add a card' }).click()
    const input = column(page, columnTitle).getByLabel('New card title')
    for (const title of titles) {
      await input.fill(title)
      await input.press('Enter')
      await expect.poll(() => card(page, title).count()).toBe(1)
    }
    await input.press('Escape')
  }

  async function cardAction(page: Page, title: string, action: string) {
    await card(page, title).hover()
    await card(page, title).getByRole('button', { name: action }).click()
  }

  async function rename(page: Page, from: string, to: string) {
    await card(page, from).locator('.card-title').click()
    const input = card(page, from).getByLabel('Card title')
    await input.fill(to)
    await input.press('Enter')
  }

  /**
   * Puts `page`'s connections to the relay behind a switch: `cut()` drops them and refuses new
   * ones (the page is offline, as far as the relay goes), `restore()` lets it reconnect.
   */
  async function network(page: Page) {
    let online = true
    const open = new Set<WebSocketRoute>()
    await page.routeWebSocket(/\/sync\//, (ws) => {
      if (!online) return void ws.close({ code: 1001, reason: 'offline' })
      const relay = ws.connectToServer()
      open.add(ws)
      ws.onClose(() => {
        open.delete(ws)
        void relay.close()
      })
    })
    return {
      cut: async () => {
        online = false
        for (const ws of open) await ws.close({ code: 1001, reason: 'offline' })
        await expect.poll(() => connection(page)).not.toBe('Online')
      },
      restore: () => {
        online = true
      },
    }
  }

  /** Where the card is in each page: the columns it appears in, once per copy. */
  const placesOf = (pages: Page[], title: string) =>
    Promise.all(
      pages.map((page) =>
        card(page, title).evaluateAll((cards) =>
          cards.map((card) => card.closest('section')?.getAttribute('aria-label')),
        ),
      ),
    )

  const realErrors = (page: TestPage) =>
    page.errors.filter(
      (error) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(error),
    )

  test('cards added, edited, reordered, moved and deleted in one window appear in the other', async () => {
    await start()
    const a = await person('Ada')
    const b = await person('Grace')

    await addCards(a, 'To do', 'Write docs', 'Fix login bug')
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Write docs', 'Fix login bug'])

    await rename(a, 'Write docs', 'Write the docs')
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Write the docs', 'Fix login bug'])

    await cardAction(a, 'Fix login bug', 'Move up')
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Fix login bug', 'Write the docs'])

    await cardAction(a, 'Write the docs', 'Move right')
    await expect.poll(() => titlesIn(b, 'In progress')).toEqual(['Write the docs'])
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Fix login bug'])

    // Drag and drop works too: B drags the card to "Done".
    await card(b, 'Write the docs').dragTo(column(b, 'Done'))
    await expect.poll(() => titlesIn(a, 'Done')).toEqual(['Write the docs'])
    await expect.poll(() => titlesIn(a, 'In progress')).toEqual([])

    await cardAction(b, 'Fix login bug', 'Delete card')
    await expect.poll(() => card(a, 'Fix login bug').count()).toBe(0)

    await expect.poll(() => saveBadge(a)).toBe('Saved')
    await expect.poll(() => saveBadge(b)).toBe('Saved')
    expect(realErrors(a)).toEqual([])
    expect(realErrors(b)).toEqual([])
  })

  test('presence shows both people, and one leaving disappears from the other', async () => {
    await start()
    const a = await person('Ada Lovelace')
    const b = await person('Grace Hopper')
    const names = (page: Page) =>
      page
        .locator('.avatars [data-name]')
        .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.name))

    await expect.poll(() => names(a)).toEqual(['Ada Lovelace', 'Grace Hopper'])
    await expect.poll(() => names(b)).toEqual(['Grace Hopper', 'Ada Lovelace'])

    // A board worth a screenshot, with Grace editing a card.
    await addCards(a, 'To do', 'Write the launch post', 'Record a demo video', 'Invite beta users')
    await addCards(a, 'In progress', 'Polish onboarding', 'Offline mode')
    await addCards(a, 'Done', 'Set up the relay', 'Design the board')
    await expect.poll(() => titlesIn(b, 'Done')).toEqual(['Set up the relay', 'Design the board'])
    await card(b, 'Offline mode').locator('.card-title').click()
    await expect
      .poll(() => card(a, 'Offline mode').locator('.editing-tag').textContent())
      .toBe('Grace Hopper is editing')
    await expect.poll(() => saveBadge(a)).toBe('Saved')
    await a.mouse.move(0, 0)
    await a.setViewportSize({ width: 1280, height: 480 })
    await a.waitForTimeout(300) // let the entry animations finish
    // Only on request, so that test runs do not rewrite the tracked image.
    if (process.env.ACCORD_SCREENSHOT === '1') await screenshot(a, here('../screenshot.png'))

    await b.context().close()
    pages.splice(pages.indexOf(b), 1)
    await expect.poll(() => names(a)).toEqual(['Ada Lovelace'])
    await expect.poll(() => card(a, 'Offline mode').locator('.editing-tag').count()).toBe(0)
  })

  test('one card edited in two browsers, one of them offline, keeps both edits', async () => {
    await start()
    const a = await person('Ada')
    let bNetwork!: Awaited<ReturnType<typeof network>>
    const b = await person('Grace', async (page) => {
      bNetwork = await network(page)
    })
    await addCards(a, 'To do', 'Ship it')
    await expect.poll(() => card(b, 'Ship it').count()).toBe(1)

    await bNetwork.cut()
    await card(b, 'Ship it').getByLabel('Done').check()
    await rename(a, 'Ship it', 'Ship it on Friday')
    await expect.poll(() => saveBadge(a)).toBe('Saved')
    expect(await card(b, 'Ship it').getAttribute('data-done')).toBe('true')

    bNetwork.restore()
    for (const page of [a, b]) {
      await expect
        .poll(() => card(page, 'Ship it on Friday').getAttribute('data-done'), { timeout: 30_000 })
        .toBe('true')
      expect(await page.locator('li.card').count()).toBe(1)
    }
    expect(await placesOf([a, b], 'Ship it on Friday')).toEqual([['To do'], ['To do']])
    expect(realErrors(a)).toEqual([])
  })

  test('one card moved to different columns at once ends in one column, once, everywhere', async () => {
    await start()
    const networks: Awaited<ReturnType<typeof network>>[] = []
    const join = (name: string) =>
      person(name, async (page) => {
        networks.push(await network(page))
      })
    const a = await join('Ada')
    const b = await join('Grace')
    await addCards(a, 'To do', 'Contested', 'Other')
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Contested', 'Other'])

    // Neither sees the other's move before making its own.
    for (const { cut } of networks) await cut()
    await cardAction(a, 'Contested', 'Move right')
    await card(b, 'Contested').dragTo(column(b, 'Done'))
    expect(await placesOf([a, b], 'Contested')).toEqual([['In progress'], ['Done']])

    for (const { restore } of networks) restore()
    await expect
      .poll(
        async () => {
          const [inA, inB] = await placesOf([a, b], 'Contested')
          return inA?.length === 1 && inB?.length === 1 && inA[0] === inB[0]
        },
        { timeout: 30_000 },
      )
      .toBe(true)
    for (const page of [a, b]) {
      await expect.poll(() => page.locator('li.card').count()).toBe(2)
      await expect.poll(() => saveBadge(page), { timeout: 30_000 }).toBe('Saved')
    }
    const [inA, inB] = await placesOf([a, b], 'Contested')
    expect(inA).toHaveLength(1)
    expect(inB).toEqual(inA)
  })

  test('the save badge says "Saved" only once the relay acknowledged the write', async () => {
    await start()
    // Stand between A and the relay and hold back the relay's acknowledgements.
    let holding = false
    const held: Buffer[] = []
    let release = () => {}
    const a = await person('Ada', (page) =>
      page.routeWebSocket(/\/sync\//, (ws) => {
        const relay = ws.connectToServer()
        release = () => {
          holding = false
          for (const frame of held.splice(0)) ws.send(frame)
        }
        relay.onMessage((message) => {
          if (holding && typeof message !== 'string' && message[0] === ACK) held.push(message)
          else ws.send(message)
        })
      }),
    )
    const b = await person('Grace')
    // The first visit writes the board's initial storage, which is saved like any change.
    await expect.poll(() => saveBadge(a)).toBe('Saved')
    holding = true

    await addCards(a, 'To do', 'Unconfirmed')
    // The relay has it and broadcast it (B sees it), but has not said it is on disk.
    await expect.poll(() => card(b, 'Unconfirmed').count()).toBe(1)
    await expect.poll(() => held.length).toBeGreaterThan(0)
    expect(await saveBadge(a)).toBe('Saving…')
    await a.waitForTimeout(1000)
    expect(await saveBadge(a)).toBe('Saving…')

    release()
    await expect.poll(() => saveBadge(a)).toBe('Saved')
  })

  test('offline: edits survive a reload while the relay is down and reach the other window when it is back', async () => {
    const { port } = await start()
    const a = await person('Ada')
    const b = await person('Grace')

    await addCards(a, 'To do', 'Before the outage')
    await expect.poll(() => card(b, 'Before the outage').count()).toBe(1)
    await expect.poll(() => saveBadge(a)).toBe('Saved')
    await waitForOfflineShell(a) // the page itself must load without the server

    await server?.close()
    server = undefined
    await expect.poll(() => connection(a)).toBe('Offline')
    await expect.poll(() => connection(b)).toBe('Offline')
    expect(await saveBadge(a)).toBe('Saved') // nothing unsaved yet: still true

    await addCards(a, 'To do', 'Written offline')
    await rename(a, 'Before the outage', 'Edited offline')
    await cardAction(a, 'Written offline', 'Move right')
    await expect
      .poll(() => saveBadge(a))
      .toMatch(/^Offline — ([3-9]|\d\d+) changes kept on this device$/)

    // A reloads while the relay is still down: the edits are in IndexedDB.
    await a.reload()
    await expect.poll(() => titlesIn(a, 'To do')).toEqual(['Edited offline'])
    await expect.poll(() => titlesIn(a, 'In progress')).toEqual(['Written offline'])
    await expect.poll(() => connection(a)).toBe('Offline')
    // What IndexedDB restored arrives as one transaction, so it counts as one change.
    await expect.poll(() => saveBadge(a)).toBe('Offline — 1 change kept on this device')
    expect(await titlesIn(b, 'To do')).toEqual(['Before the outage'])

    // The relay comes back on the same port and data; nobody touches anything.
    server = await startServer({ dataDir, port })
    await expect.poll(() => titlesIn(b, 'To do'), { timeout: 30_000 }).toEqual(['Edited offline'])
    await expect
      .poll(() => titlesIn(b, 'In progress'), { timeout: 30_000 })
      .toEqual(['Written offline'])
    await expect.poll(() => connection(a), { timeout: 30_000 }).toBe('Online')
    await expect.poll(() => saveBadge(a), { timeout: 30_000 }).toBe('Saved')

    // "Saved" was true: a newcomer after another restart gets everything from the relay's disk.
    await server.close()
    server = await startServer({ dataDir, port })
    const c = await person('Linus')
    await expect.poll(() => titlesIn(c, 'To do')).toEqual(['Edited offline'])
    await expect.poll(() => titlesIn(c, 'In progress')).toEqual(['Written offline'])
    expect(realErrors(a)).toEqual([])
  })

  test('undo reverts only my own change; redo and the keyboard shortcuts work', async () => {
    await start()
    const a = await person('Ada')
    const b = await person('Grace')

    await addCards(a, 'To do', 'Mine')
    await addCards(b, 'To do', 'Theirs')
    await expect.poll(() => titlesIn(a, 'To do')).toEqual(['Mine', 'Theirs'])

    await a.getByRole('button', { name: 'Undo' }).click()
    await expect.poll(() => titlesIn(a, 'To do')).toEqual(['Theirs'])
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Theirs'])

    await a.keyboard.press('Control+Shift+Z')
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Mine', 'Theirs'])
    await a.keyboard.press('Control+Z')
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Theirs'])
    await a.getByRole('button', { name: 'Redo' }).click()
    await expect.poll(() => titlesIn(b, 'To do')).toEqual(['Mine', 'Theirs'])
    expect(await titlesIn(a, 'To do')).toEqual(['Mine', 'Theirs'])
  })

  // Opening the board's lists must not leave an empty step on the undo stack.
  test('Undo is disabled while there is nothing of mine to undo', async () => {
    await start()
    const a = await person('Ada')
    await expect
      .poll(() => a.getByRole('button', { name: 'Undo' }).isDisabled(), { timeout: 3000 })
      .toBe(true)
  })
})
