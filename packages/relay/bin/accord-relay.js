#!/usr/bin/env node
// A committed shim, so that npm links `accord-relay` at install time, before the first build.
import('../dist/cli.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js'))
    throw error
  process.stderr.write('accord-relay: not built yet; run `npm run build` first\n')
  process.exit(1)
})
