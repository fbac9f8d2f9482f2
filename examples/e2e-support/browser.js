// Real Chromium for the examples' end-to-end tests: Debian's `chromium` driven by playwright-core.
// Without a browser the suites skip with one loud line, unless ACCORD_REQUIRE_BROWSER=1 (CI),
// in which case they fail.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { chromium } from 'playwright-core'

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const browserRequired = process.env.ACCORD_REQUIRE_BROWSER === '1'
const browserFound = existsSync(chromiumPath)

/** True when the browser suites must be skipped (no browser, and CI did not require one). */
export const skipBrowserTests = !browserFound && !browserRequired

if (skipBrowserTests) {
  console.warn(
    `\n!!!!! E2E SKIPPED: no Chromium at ${chromiumPath}. Install it (apt-get install chromium) ` +
      'or set CHROMIUM_PATH; ACCORD_REQUIRE_BROWSER=1 makes this a failure. !!!!!\n',
  )
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** One browser per test file: launch it in `beforeAll`, close it in `afterAll`. */
export async function launchBrowser() {
  if (!browserFound) {
    throw new Error(
      `ACCORD_REQUIRE_BROWSER=1 but there is no Chromium at ${chromiumPath} ` +
        '(apt-get install chromium, or set CHROMIUM_PATH).',
    )
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS })
}

/**
 * A fresh browser context (its own IndexedDB, like a separate person's browser) with one page.
 * Page errors and console errors are collected in `page.errors` so tests can assert on them.
 */
export async function openPage(browser, url, { viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 })
  const page = await context.newPage()
  page.errors = []
  page.on('pageerror', (error) => page.errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') page.errors.push(message.text())
  })
  if (url) await page.goto(url)
  return page
}

/** Saves a screenshot, creating the directory. */
export async function screenshot(page, path) {
  await mkdir(dirname(path), { recursive: true })
  await page.screenshot({ path })
}

/** Resolves once the page's service worker (the offline app shell) is active: reloads work offline. */
export async function waitForOfflineShell(page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true))
}
