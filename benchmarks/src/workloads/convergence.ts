/**
 * Workload 5 — convergence: the concurrent `friendsforever` trace replayed by its two authors as
 * two clients (one Y.Doc each) through the server. Each txn is applied on its author's doc when
 * that doc holds exactly the txn's causal past: the other author's updates arrive through the
 * server and are applied only as far as the txn's parents require. At the end both texts must be
 * identical and equal the trace's `endContent`.
 */
import * as Y from 'yjs'
import { BenchClient } from '../load/client.js'
import { applyPatches, loadTrace, type Txn } from '../load/traces.js'
import type { ServerKind } from '../servers/index.js'
import { sleep } from '../util.js'

export interface ConvergenceTask {
  workload: 'convergence'
  kind: ServerKind
  url: string
  room: string
  trace: string
  timeoutMs: number
}

export interface ConvergenceResult {
  kind: ServerKind
  txns: number
  ms: number
  identical: boolean
  equalsEndContent: boolean
  lengths: number[]
  error: string | null
}

interface Received {
  update: Uint8Array
  /** The other author's clock after this update, or null for a delete-only update. */
  structTo: number | null
}

interface Agent {
  doc: Y.Doc
  text: Y.Text
  client: BenchClient
  /** The other author's updates received from the server, not yet applied. */
  inbox: Received[]
  /** How many of the other author's txns this doc holds (or that turned out to be no-ops). */
  appliedRemote: number
  /** Own txns done so far. */
  done: number
  /** Own clock after each own txn, and whether the txn inserted anything. */
  clocks: number[]
  inserts: boolean[]
  /** Delete sets of own delete-only updates sent, to recognise their echo (y-websocket and hocuspocus echo). */
  ownDeletes: string[]
  waiter: (() => void) | null
}

/** A canonical string for an update's delete set. */
function deleteSignature(update: Uint8Array): string {
  const { ds } = Y.decodeUpdate(update) as unknown as {
    ds: { clients: Map<number, { clock: number; len: number }[]> }
  }
  return [...ds.clients.entries()]
    .sort(([a], [b]) => a - b)
    .map(([client, items]) => `${client}:${items.map((i) => `${i.clock}+${i.len}`).join(',')}`)
    .join(';')
}

export async function convergenceLoad(task: ConvergenceTask): Promise<ConvergenceResult> {
  const trace = loadTrace(task.trace)
  const txns = trace.txns
  const agentCount = trace.numAgents ?? 2
  if (agentCount !== 2) throw new Error('the convergence replay handles two agents')
  const echoes = task.kind === 'y-websocket' || task.kind === 'hocuspocus'

  // Per txn: its author's sequence number and, per agent, how many of that agent's txns are in
  // its causal past (parents included).
  const seq = new Int32Array(txns.length)
  const need: Int32Array[] = [new Int32Array(txns.length), new Int32Array(txns.length)]
  const counts = [0, 0]
  for (let i = 0; i < txns.length; i++) {
    const txn = txns[i] as Txn
    const agent = txn.agent as number
    seq[i] = counts[agent] as number
    counts[agent] = (counts[agent] as number) + 1
    for (const a of [0, 1]) {
      let n = 0
      for (const p of txn.parents ?? []) {
        const fromParent = (need[a] as Int32Array)[p] as number
        const self = (txns[p] as Txn).agent === a ? (seq[p] as number) + 1 : 0
        n = Math.max(n, fromParent, self)
      }
      ;(need[a] as Int32Array)[i] = n
    }
  }

  const agents: Agent[] = []
  for (let a = 0; a < 2; a++) {
    const doc = new Y.Doc()
    doc.clientID = a + 1
    const otherId = 2 - a
    const agent: Agent = {
      doc,
      text: doc.getText('text'),
      client: null as unknown as BenchClient,
      inbox: [],
      appliedRemote: 0,
      done: 0,
      clocks: [],
      inserts: [],
      ownDeletes: [],
      waiter: null,
    }
    agent.client = new BenchClient(task.kind, task.url, task.room, {
      acks: task.kind === 'accord',
      onUpdate: (update) => {
        const meta = Y.parseUpdateMeta(update)
        if (meta.to.size > 0) {
          if (!meta.to.has(otherId)) return // our own update echoed back
          agent.inbox.push({ update, structTo: meta.to.get(otherId) as number })
        } else {
          if (update.length <= 2) return // empty step 2
          if (echoes) {
            const signature = deleteSignature(update)
            const mine = agent.ownDeletes.indexOf(signature)
            if (mine >= 0 && mine < 64) {
              agent.ownDeletes.splice(0, mine + 1)
              return
            }
          }
          agent.inbox.push({ update, structTo: null })
        }
        agent.waiter?.()
      },
    })
    agents.push(agent)
  }
  await Promise.all(agents.map((a) => a.client.opened))
  await Promise.all(agents.map((a) => a.client.synced))

  /** Which txn of `other` (at or after `from`) a received update is. */
  function classify(other: Agent, from: number, received: Received): number {
    let j = from
    if (received.structTo !== null) {
      while (j < other.clocks.length && (other.clocks[j] as number) < received.structTo) j++
    } else {
      while (j < other.inserts.length && other.inserts[j]) j++
    }
    return j
  }

  /** Brings `self` to hold exactly the first `count` txns of `other` (waiting for the server). */
  async function catchUp(
    self: Agent,
    other: Agent,
    count: number,
    deadline: number,
  ): Promise<void> {
    while (self.appliedRemote < count) {
      const head = self.inbox[0]
      if (head === undefined) {
        if (performance.now() > deadline) throw new Error('timed out waiting for the other author')
        await new Promise<void>((resolve) => {
          self.waiter = resolve
          setTimeout(resolve, 50)
        })
        self.waiter = null
        continue
      }
      const j = classify(other, self.appliedRemote, head)
      if (j >= count) {
        // Every txn before it never arrived: the server found them to change nothing.
        self.appliedRemote = count
        return
      }
      self.inbox.shift()
      Y.applyUpdate(self.doc, head.update, 'remote')
      self.appliedRemote = j + 1
    }
  }

  const ownClock = (agent: Agent) => Y.getState(agent.doc.store, agent.doc.clientID)

  const start = performance.now()
  const deadline = start + task.timeoutMs
  let error: string | null = null
  try {
    for (let i = 0; i < txns.length; i++) {
      const txn = txns[i] as Txn
      const a = txn.agent as number
      const self = agents[a] as Agent
      const other = agents[1 - a] as Agent
      await catchUp(self, other, (need[1 - a] as Int32Array)[i] as number, deadline)
      let update: Uint8Array | null = null
      const capture = (u: Uint8Array, origin: unknown) => {
        if (origin !== 'remote') update = u
      }
      const before = ownClock(self)
      self.doc.on('update', capture)
      self.doc.transact(() => applyPatches(self.text, txn.patches))
      self.doc.off('update', capture)
      const after = ownClock(self)
      self.clocks.push(after)
      self.inserts.push(after > before)
      self.done++
      if (update !== null) {
        if (echoes && after === before) self.ownDeletes.push(deleteSignature(update))
        self.client.sendFrame(self.client.encodeUpdate(update))
      }
      // Let the socket breathe now and then.
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve))
    }
    // Finally each author takes everything the other wrote.
    await catchUp(agents[0] as Agent, agents[1] as Agent, (agents[1] as Agent).done, deadline)
    await catchUp(agents[1] as Agent, agents[0] as Agent, (agents[0] as Agent).done, deadline)
  } catch (e) {
    error = (e as Error).message
  }
  const ms = performance.now() - start
  const texts = agents.map((a) => a.text.toString())
  await Promise.all(agents.map((a) => a.client.close()))
  await sleep(50)
  return {
    kind: task.kind,
    txns: txns.length,
    ms,
    identical: texts[0] === texts[1],
    equalsEndContent: texts[0] === trace.endContent && texts[1] === trace.endContent,
    lengths: texts.map((t) => t.length),
    error,
  }
}
