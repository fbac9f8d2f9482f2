import { defineConfig } from 'vite'
import { offlineShell } from '../offline-shell.js'

export default defineConfig({
  // Relative asset URLs: the built app works under any sub-path (`npm start` serves /live-poll/).
  base: './',
  // A service worker that keeps the app itself available offline (the data is in IndexedDB).
  plugins: [offlineShell()],
  server: {
    // `npm run dev` next to `npx accord-relay` (port 1234): the page talks to /sync on its origin.
    proxy: {
      '/sync': {
        target: 'ws://localhost:1234',
        ws: true,
        rewrite: (path) => path.replace(/^\/sync/, ''),
      },
    },
  },
})
