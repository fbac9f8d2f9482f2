/** Summarises a V8 .heapsnapshot: self size and count per constructor / node name. */
import { readFileSync } from 'node:fs'

export interface HeapEntry {
  name: string
  count: number
  selfBytes: number
}

export function summarizeHeap(
  file: string,
  top = 30,
): { totalBytes: number; entries: HeapEntry[] } {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
    nodes: number[]
    strings: string[]
  }
  const fields = snapshot.snapshot.meta.node_fields
  const types = snapshot.snapshot.meta.node_types[0]
  const stride = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const byName = new Map<string, HeapEntry>()
  let totalBytes = 0
  const nodes = snapshot.nodes
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt] as number] as string
    const size = nodes[i + sizeAt] as number
    totalBytes += size
    let name = snapshot.strings[nodes[i + nameAt] as number] as string
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string')
      name = '(string)'
    else if (type === 'code') name = '(code)'
    else if (type === 'closure') name = `closure ${name}`
    else if (type === 'array') name = `(array) ${name}`
    else if (type === 'hidden') name = `(hidden) ${name}`
    else if (type === 'native') name = `(native) ${name}`
    const key = `${name}`.slice(0, 80)
    const entry = byName.get(key) ?? { name: key, count: 0, selfBytes: 0 }
    entry.count++
    entry.selfBytes += size
    byName.set(key, entry)
  }
  return {
    totalBytes,
    entries: [...byName.values()].sort((a, b) => b.selfBytes - a.selfBytes).slice(0, top),
  }
}
