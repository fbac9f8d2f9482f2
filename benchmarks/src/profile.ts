/** Summarises a V8 .cpuprofile: self time per function and per package. */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileEntry {
  name: string
  where: string
  selfMs: number
  selfPct: number
}

export interface ProfileSummary {
  totalMs: number
  idlePct: number
  gcPct: number
  functions: ProfileEntry[]
  packages: ProfileEntry[]
  /** Inclusive (self + callees) time of the relay's own functions (Accord's packages). */
  relayInclusive: ProfileEntry[]
  /** Self time by leaf function and the nearest two Accord frames above it ("who pays for what"). */
  attribution: ProfileEntry[]
}

function packageOf(url: string): string {
  if (url === '') return '(native / V8)'
  if (url.startsWith('node:')) return 'node core'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] as string)
  }
  const pkg = /\/packages\/([^/]+)\//.exec(url)
  if (pkg) return `@accord/${pkg[1]}`
  return url
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length)
  const pkg = url.indexOf('/packages/')
  if (pkg >= 0) return url.slice(pkg + 1)
  return url.replace(/^file:\/\//, '')
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  let total = 0
  let idle = 0
  let gc = 0
  const functions = new Map<string, ProfileEntry>()
  const packages = new Map<string, ProfileEntry>()
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (node === undefined) continue
    const { functionName, url, lineNumber } = node.callFrame
    total += us
    if (functionName === '(idle)') {
      idle += us
      continue
    }
    if (functionName === '(garbage collector)') gc += us
    const name = functionName || '(anonymous)'
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : ''
    const key = `${name} ${where}`
    const entry = functions.get(key) ?? { name, where, selfMs: 0, selfPct: 0 }
    entry.selfMs += us / 1000
    functions.set(key, entry)
    const pkg = functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(url)
    const p = packages.get(pkg) ?? { name: pkg, where: '', selfMs: 0, selfPct: 0 }
    p.selfMs += us / 1000
    packages.set(pkg, p)
  }
  const busy = (total - idle) / 1000
  // Inclusive time: self + every descendant, per node, then summed per function of our packages
  // (a recursive function would count twice; the relay has none on the hot path).
  const inclusive = new Map<number, number>()
  const visit = (id: number): number => {
    const node = byId.get(id)
    if (node === undefined) return 0
    let sum = selfUs.get(id) ?? 0
    for (const child of node.children ?? []) sum += visit(child)
    inclusive.set(id, sum)
    return sum
  }
  const root = profile.nodes[0]
  if (root !== undefined) visit(root.id)
  const parent = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id)
  const isOurs = (url: string) => /\/packages\/(relay|protocol)\//.test(url)
  const attribution = new Map<string, ProfileEntry>()
  for (const [id, us] of selfUs) {
    const leaf = byId.get(id)
    if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue
    const chain: string[] = []
    for (
      let cur: number | undefined = id;
      cur !== undefined && chain.length < 2;
      cur = parent.get(cur)
    ) {
      const n = byId.get(cur)
      if (n !== undefined && isOurs(n.callFrame.url))
        chain.push(
          `${n.callFrame.functionName || '(anonymous)'} (${shortUrl(n.callFrame.url).replace(/^.*\//, '')}:${n.callFrame.lineNumber + 1})`,
        )
    }
    const name = leaf.callFrame.functionName || '(anonymous)'
    const where = chain.length > 0 ? chain.join(' ← ') : '(no relay frame)'
    const key = `${name} ${where}`
    const entry = attribution.get(key) ?? { name, where, selfMs: 0, selfPct: 0 }
    entry.selfMs += us / 1000
    attribution.set(key, entry)
  }
  const relay = new Map<string, ProfileEntry>()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    if (!/\/packages\/(relay|protocol)\//.test(url)) continue
    const name = functionName || '(anonymous)'
    const where = `${shortUrl(url)}:${lineNumber + 1}`
    const key = `${name} ${where}`
    const entry = relay.get(key) ?? { name, where, selfMs: 0, selfPct: 0 }
    entry.selfMs += (inclusive.get(node.id) ?? 0) / 1000
    relay.set(key, entry)
  }
  const finish = (entries: Iterable<ProfileEntry>) =>
    [...entries]
      .map((e) => ({
        ...e,
        selfMs: Math.round(e.selfMs),
        selfPct: Math.round((e.selfMs / busy) * 1000) / 10,
      }))
      .sort((a, b) => b.selfMs - a.selfMs)
  return {
    totalMs: Math.round(total / 1000),
    idlePct: Math.round((idle / total) * 1000) / 10,
    gcPct: Math.round((gc / (total - idle)) * 1000) / 10,
    functions: finish(functions.values()).slice(0, top),
    packages: finish(packages.values()).slice(0, 15),
    relayInclusive: finish(relay.values()).slice(0, 25),
    attribution: finish(attribution.values()).slice(0, 20),
  }
}
