import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { launchBrowser, openPage, screenshot, skipBrowserTests } from '../../e2e-support/browser.js'
import { removeDataDir, startServer, tempDataDir } from '../../e2e-support/server.js'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

describe.skipIf(skipBrowserTests)('live-poll in Chromium', () => {
  let browser
  let server
  let dataDir
  const pages = []

  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close()
    await server?.close()
    await removeDataDir(dataDir)
  })

  const votesText = (page) => page.locator('#poll-meta')
  const optionCount = (page, index) =>
    page.locator('button[data-option]').nth(index).locator('.count')

  test('a poll created in one window; 2 pages × 20 concurrent votes add up to exactly 40', async () => {
    dataDir = await tempDataDir()
    server = await startServer({ dataDir })

    const a = await openPage(browser, `${server.origin}/live-poll/`, {
      viewport: { width: 900, height: 720 },
    })
    pages.push(a)
    await expect.poll(() => a.locator('#status').textContent()).toBe('Live')

    await a.fill('input[name=question]', 'Where should we go for lunch?')
    const inputs = a.locator('input[name=option]')
    await inputs.nth(0).fill('Tacos')
    await inputs.nth(1).fill('Ramen')
    await inputs.nth(2).fill('Salad bar')
    await a.click('button[type=submit].primary')
    await expect
      .poll(() => a.locator('#question').textContent())
      .toBe('Where should we go for lunch?')
    const pollUrl = a.url()
    expect(pollUrl).toMatch(/#\/[\w-]+$/)

    // Someone else opens the link in their own browser.
    const b = await openPage(browser, pollUrl, { viewport: { width: 900, height: 720 } })
    pages.push(b)
    await expect.poll(() => b.locator('button[data-option]').count()).toBe(3)
    await expect.poll(() => b.locator('#status').textContent()).toBe('Live')
    await expect.poll(() => votesText(a).textContent()).toContain('2 people here')

    // 20 votes on each page at the same time, interleaved with the network: 12 for Tacos,
    // 8 for Ramen on each page. Counters add up; last-writer-wins would lose votes.
    const vote = (page) =>
      page.evaluate(async () => {
        const buttons = document.querySelectorAll('button[data-option]')
        for (let i = 0; i < 20; i++) {
          buttons[i % 5 < 3 ? 0 : 1].click()
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 15))
        }
      })
    await Promise.all([vote(a), vote(b)])

    for (const page of [a, b]) {
      await expect.poll(() => votesText(page).textContent()).toMatch(/^40 votes/)
      await expect.poll(() => optionCount(page, 0).textContent()).toBe('24 · 60%')
      await expect.poll(() => optionCount(page, 1).textContent()).toBe('16 · 40%')
      await expect.poll(() => optionCount(page, 2).textContent()).toBe('0 · 0%')
    }

    // The votes are on the relay's disk: a newcomer after a restart sees all 40.
    const { port } = server
    for (const page of pages.splice(0)) await page.context().close()
    await server.close()
    server = await startServer({ dataDir, port })
    const c = await openPage(browser, pollUrl, { viewport: { width: 900, height: 720 } })
    pages.push(c)
    await expect.poll(() => votesText(c).textContent()).toMatch(/^40 votes/)
    await expect.poll(() => c.locator('#status').textContent()).toBe('Live')
    // Let the bar transition finish before the picture.
    await c.waitForTimeout(600)
    await screenshot(c, here('../screenshot.png'))

    // The poll is listed on the home page.
    await c.goto(`${server.origin}/live-poll/`)
    await expect
      .poll(() => c.locator('#recent a').first().textContent())
      .toBe('Where should we go for lunch?')
    await screenshot(c, here('../test-results/home.png'))
    expect(c.errors).toEqual([])
  })
})
