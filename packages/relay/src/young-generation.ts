/**
 * `accord-relay`'s one V8 setting, imported before anything else so that it applies from the
 * start: V8's young generation keeps its initial size (1 MB semi-spaces) instead of growing to
 * 16 MB ones under a burst of allocation. A relay is mostly idle connections, and that growth
 * is a fixed ~30 MB of RSS, as much as 2,000 idle rooms cost. More, smaller scavenges cost up
 * to ~10 % CPU under fan-out and slow a bulk upload (benchmarks/README.md has the figures). An
 * operator who sets the young generation's size (`node --max-semi-space-size=16 …`) keeps it; the
 * Fastify plugin never touches the flags of the process it is loaded into.
 */
import { setFlagsFromString } from 'node:v8'

const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
if (!flags.some((flag) => flag.includes('semi-space'))) {
  setFlagsFromString('--semi-space-growth-factor=1')
}
