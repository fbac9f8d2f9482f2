import { defineConfig } from 'vite'
import { offlineShell } from './offline-shell.js'

/**
 * The Vite config every example shares; `plugins` come before the offline shell.
 *
 * - `base: './'`: relative asset URLs, so a built app works under any sub-path (`npm start`
 *   serves /board/, /live-poll/, /dashboard/).
 * - A service worker keeps the app itself available offline (its data is in IndexedDB).
 * - `npm run dev` next to `npx accord-relay` (port 1234): pages talk to /sync on their origin.
 */
export function exampleConfig(plugins = []) {
  return defineConfig({
    base: './',
    plugins: [...plugins, offlineShell()],
    server: {
      proxy: {
        '/sync': {
          target: 'ws://localhost:1234',
          ws: true,
          rewrite: (path) => path.replace(/^\/sync/, ''),
        },
      },
    },
  })
}
