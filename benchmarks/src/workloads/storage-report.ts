/** The storage workload (issue #16) from the orchestrator's side: one load process per N, and its table. */
import { runLoad } from '../load/spawn.js'
import { median, round } from '../stats.js'
import type { StorageResult, StorageTask, SystemResult } from './storage.js'
import type { SystemName } from './storage-systems.js'

export const STORAGE_SYSTEMS: SystemName[] = ['accord', 'naive', 'syncedstore']
const TARGET_MS = 1
const TARGET_HEAP = 1.5

/** Each N in a process of its own (`--expose-gc`; 100k items of three systems need ~3 GB). */
export async function storageWorkload(
  run: number,
  sizes: number[],
  edits: number,
  log: (message: string) => void,
): Promise<StorageResult[]> {
  const out: StorageResult[] = []
  // Rotated per run: the first system built and timed gets the youngest heap.
  const systems = STORAGE_SYSTEMS.map((_, i) => STORAGE_SYSTEMS[(i + run) % 3] as SystemName)
  for (const items of sizes) {
    const task: StorageTask = { items, edits, warmUp: 20, budgetMs: 10_000, systems, seed: 16 }
    const result = await runLoad<StorageResult>({ workload: 'storage', ...task }, 600_000, [
      '--expose-gc',
      '--max-old-space-size=6144',
    ])
    for (const r of result.systems)
      log(
        `storage run ${run + 1} ${r.system} N=${items}: edit+snapshot p50 ${round(r.p50)} ms p95 ${round(r.p95)} ms (${r.edits} edits), heap ${Math.round(r.boundBytesPerItem)} B/item (doc alone ${Math.round(r.rawDocBytesPerItem)})${r.correct ? '' : ' WRONG SNAPSHOT'}`,
      )
    out.push(result)
  }
  return out
}

const fmt = (v: number): string =>
  Number.isFinite(v) ? String(Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3))) : 'n/a'

/** Medians over runs of each system's figures (and of per-run ratios) for every N. */
export function storageReport(runs: StorageResult[][], systems: SystemName[]) {
  const sizes = [...new Set(runs.flatMap((run) => run.map((r) => r.items)))].sort((a, b) => a - b)
  const of = (run: StorageResult[], items: number, system: SystemName) =>
    run.find((r) => r.items === items)?.systems.find((s) => s.system === system)
  const med = (items: number, system: SystemName, f: (r: SystemResult) => number) =>
    median(runs.map((run) => of(run, items, system)).map((r) => (r ? f(r) : Number.NaN)))
  const naiveDoc = (r: StorageResult[], items: number) =>
    of(r, items, 'naive')?.rawDocBytesPerItem ?? Number.NaN
  const md: string[] = [
    `### 6. Storage: one remote field edit → new snapshot (issue #16; medians of ${runs.length} run(s))\n`,
    '| N items | system | edits timed | p50 ms (target < 1 at 10k) | p95 ms | apply p50 ms | snapshot p50 ms | first snapshot ms | doc alone B/item | with binding + snapshot B/item | vs its doc alone | vs the plain Y.Array-of-Y.Map doc (target ≤ 1.5) | snapshots correct |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ]
  const summary: Record<string, Record<string, Record<string, number>>> = {}
  for (const items of sizes)
    for (const system of systems) {
      const m = (f: (r: SystemResult) => number) => med(items, system, f)
      const vsOwn = m((r) => r.boundBytesPerItem / r.rawDocBytesPerItem)
      const vsPlain = median(
        runs.map(
          (run) => (of(run, items, system)?.boundBytesPerItem ?? NaN) / naiveDoc(run, items),
        ),
      )
      const row = {
        p50: m((r) => r.p50),
        p95: m((r) => r.p95),
        heapPerItem: m((r) => r.boundBytesPerItem),
        heapVsOwnDoc: vsOwn,
        heapVsPlainDoc: vsPlain,
      }
      summary[system] = { ...summary[system], [`N${items}`]: row }
      const correct = runs.every((run) => of(run, items, system)?.correct !== false)
      md.push(
        `| ${items} | ${system} | ${fmt(m((r) => r.edits))} | ${fmt(row.p50)} | ${fmt(row.p95)} | ${fmt(m((r) => r.applyP50))} | ${fmt(m((r) => r.snapshotP50))} | ${fmt(m((r) => r.firstSnapshotMs))} | ${fmt(m((r) => r.rawDocBytesPerItem))} | ${fmt(row.heapPerItem)} | ${fmt(vsOwn)}× | ${fmt(vsPlain)}× | ${correct ? 'yes' : 'NO'} |`,
      )
    }
  md.push('')
  md.push(`| Accord p50 time vs | ${sizes.map((n) => `N = ${n}`).join(' | ')} |`)
  md.push(`| --- | ${sizes.map(() => '---:').join(' | ')} |`)
  for (const peer of systems.filter((s) => s !== 'accord')) {
    const cells = sizes.map((items) =>
      median(
        runs.map(
          (run) => (of(run, items, 'accord')?.p50 ?? NaN) / (of(run, items, peer)?.p50 ?? NaN),
        ),
      ),
    )
    md.push(`| ${peer} | ${cells.map((c) => `${fmt(c)}×`).join(' | ')} |`)
  }
  const at = (items: number) => med(items, 'accord', (r) => r.p50)
  const first = sizes[0] as number
  const last = sizes[sizes.length - 1] as number
  // Below 10,000 items a few MB of heap noise is several times an item's share.
  const heapSizes = sizes.filter((n) => n >= 10_000)
  const heap = Math.max(...heapSizes.map((n) => summary.accord?.[`N${n}`]?.heapVsPlainDoc ?? NaN))
  md.push('')
  md.push(
    `Targets: one edit + snapshot < ${TARGET_MS} ms at 10,000 items — ${sizes.includes(10_000) ? `${fmt(at(10_000))} ms, ${at(10_000) < TARGET_MS ? 'met' : '**missed**'}` : 'not measured (no 10,000 run)'}; flat across sizes — ${fmt(at(last) / at(first))}× from ${first} to ${last} items; heap ≤ ${TARGET_HEAP}× the plain doc — ${heapSizes.length === 0 ? 'not measured below 10,000 items' : `worst ${fmt(heap)}× at ≥ 10,000 items, ${heap <= TARGET_HEAP ? 'met' : '**missed**'}`}.\n`,
  )
  return { markdown: md.join('\n'), summary }
}
