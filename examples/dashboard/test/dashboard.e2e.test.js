import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  launchBrowser,
  openPage,
  screenshot,
  skipBrowserTests,
  waitForOfflineShell,
} from '../../e2e-support/browser.js'
import { removeDataDir, startServer, tempDataDir } from '../../e2e-support/server.js'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

describe.skipIf(skipBrowserTests)('dashboard in Chromium', () => {
  let browser
  let server
  let dataDir
  let page

  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    await page?.context().close()
    await server?.close()
    await removeDataDir(dataDir)
  })

  const chartState = () =>
    page.evaluate(() => {
      const svg = document.querySelector('#chart svg')
      return {
        samples: Number(svg?.dataset.samples ?? 0),
        last: Number(svg?.dataset.last ?? 0),
        cpu: document.querySelector('#chart path.line.cpu')?.getAttribute('d') ?? '',
      }
    })

  test('the chart updates while the Node writer runs, and shows the last data offline', async () => {
    dataDir = await tempDataDir()
    // The writer is the same code `npm start` runs, a little faster so the test is short.
    server = await startServer({ dataDir, writer: true, writerIntervalMs: 250 })
    page = await openPage(browser, `${server.origin}/dashboard/`, {
      viewport: { width: 1200, height: 720 },
    })
    await expect.poll(() => page.locator('#status').textContent()).toBe('Live')

    // New samples keep arriving and are drawn, without any reload.
    await expect.poll(async () => (await chartState()).samples).toBeGreaterThanOrEqual(2)
    const first = await chartState()
    await expect.poll(async () => (await chartState()).last).toBeGreaterThan(first.last)
    const second = await chartState()
    await expect.poll(async () => (await chartState()).last).toBeGreaterThan(second.last)
    const third = await chartState()
    expect(third.samples).toBeGreaterThan(first.samples)
    expect(third.cpu).not.toBe(first.cpu)
    expect(third.cpu).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/)
    await expect.poll(() => page.locator('.stat.cpu .stat-value').textContent()).toMatch(/^\d+%$/)
    await expect
      .poll(() => page.locator('.stat.connections .stat-value').textContent())
      .toMatch(
        /^[1-9]\d*$/, // the writer and this page, at least
      )
    await expect.poll(() => page.locator('#source').textContent()).toContain('Node v')

    // Enough data for a chart worth looking at.
    await expect
      .poll(async () => (await chartState()).samples, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(40)
    await screenshot(page, here('../screenshot.png'))

    // The server (relay, writer and static files) stops: the page says so and keeps the data.
    await waitForOfflineShell(page)
    const { samples } = await chartState()
    await server.close()
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/^Offline — showing data up to/)
    // A reload while the relay is down still opens with the last state, from IndexedDB.
    await page.reload()
    await expect.poll(async () => (await chartState()).samples).toBeGreaterThanOrEqual(samples)
    await expect
      .poll(() => page.locator('#status').textContent())
      .toMatch(/^Offline — showing data up to/)
    await screenshot(page, here('../test-results/offline.png'))
    const errors = page.errors.filter(
      (message) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(message),
    )
    expect(errors).toEqual([])
  })
})
