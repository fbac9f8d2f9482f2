import * as Y from 'yjs'
import {
  CostLimitError,
  type Id,
  type ReadLimits,
  readUpdate,
  type Struct,
  type UpdateStructure,
} from './update-structure.js'

/** What an update may cost a room, on top of what reading it may (ReadLimits). */
export interface StructureLimits extends ReadLimits {
  /** Sub-documents (ContentDoc items) per room: each is a Y.Doc in the relay's memory. */
  maxSubdocs: number
  /**
   * Structs waiting for items the room does not have, plus delete ranges beyond what it has:
   * Yjs keeps both aside and retries them on every later update.
   */
  maxPending: number
}

/** Items of one client over [clock, end) that share a nesting level; or one pending struct. */
interface Range {
  clock: number
  end: number
  /** The nesting level of the type the items sit in: 1 = a root type, 0 = GC, -1 = pending. */
  level: number
  /** While pending: the struct, whose anchors are resolved again as updates arrive. */
  struct: Struct | null
}

const PENDING = -1

/**
 * What the relay knows of a room's structure, so that an update's cost is known before it is
 * applied or stored: how deeply every item is nested, how many sub-documents and pending
 * structs the room holds.
 *
 * Nesting: an item's parent is either a root type, or the type created by another item (its
 * parent ID), or, when the item has neighbours, the same as theirs (Yjs copies it from the left
 * or right origin). So an item's level follows from its anchors, which are in the room or in the
 * same update. Yjs deletes and collects a nested type recursively (Item.delete -> ContentType
 * .delete -> Item.delete ...), so a chain some thousands deep overflows the stack of every
 * relay and client that deletes it; refusing to store any item deeper than `maxDepth` keeps
 * every history the relay accepted loadable, by the relay and by clients.
 *
 * The levels are kept per client as clock ranges (a client typing in one text is one range),
 * built once per loaded room from its document or its log, then kept up to date as updates are
 * admitted. An item whose anchors the room does not have yet is pending (as in Yjs): it is
 * resolved, and checked, when the update that brings them arrives; so is whatever depends on
 * it. Levels are conservative where Yjs' rules leave a choice (the deeper of both neighbours).
 */
export class RoomStructure {
  readonly #clients = new Map<number, Range[]>()
  /** Ranges of pending structs: resolved again by every update until they are not. */
  readonly pending = new Set<Range>()
  #subdocs = 0
  #pendingDeletes = 0

  private constructor(private readonly limits: StructureLimits) {}

  /** The structure of a room whose history is a list of updates (a small room's log). */
  static fromUpdates(updates: readonly Uint8Array[], limits: StructureLimits): RoomStructure {
    const structure = new RoomStructure(limits)
    const unlimited = { maxDepth: Number.POSITIVE_INFINITY, maxDeleteRanges: Infinity }
    for (const update of updates) structure.#admit(readUpdate(update, unlimited), false)
    return structure
  }

  /** The structure of a built document, read from its struct store (and what Yjs holds aside). */
  static fromDoc(doc: Y.Doc, limits: StructureLimits): RoomStructure {
    const structure = new RoomStructure(limits)
    const typeLevels = new Map<unknown, number>()
    for (const [client, structs] of doc.store.clients) {
      for (const struct of structs) {
        const item = struct instanceof Y.Item ? struct : null
        const level = item === null ? 0 : levelOfType(item.parent as Y.AbstractType<unknown>)
        if (item?.content instanceof Y.ContentDoc) structure.#subdocs++
        structure.#insert(client, struct.id.clock, struct.id.clock + struct.length, level, null)
      }
    }
    const store = doc.store as unknown as {
      pendingStructs: { update: Uint8Array } | null
      pendingDs: Uint8Array | null
    }
    const unlimited = { maxDepth: Number.POSITIVE_INFINITY, maxDeleteRanges: Infinity }
    if (store.pendingStructs !== null) {
      const pending = Y.convertUpdateFormatV2ToV1(store.pendingStructs.update)
      structure.#admit(readUpdate(pending, unlimited), false)
    }
    if (store.pendingDs !== null) {
      for (const [, ranges] of Y.decodeUpdateV2(store.pendingDs).ds.clients) {
        structure.#pendingDeletes += ranges.length
      }
    }
    return structure

    /** Items of a root type are at level 1; of a type nested in it, 2; and so on. */
    function levelOfType(type: Y.AbstractType<unknown> | null): number {
      // Up to a type whose level is known (or a root), then fill in the way back down.
      const path: Y.AbstractType<unknown>[] = []
      let level = 0
      for (let t = type; t !== null; ) {
        const known = typeLevels.get(t)
        if (known !== undefined) {
          level = known
          break
        }
        path.push(t)
        t = (t._item?.parent as Y.AbstractType<unknown> | null | undefined) ?? null
      }
      for (let i = path.length - 1; i >= 0; i--) typeLevels.set(path[i], ++level)
      return level
    }
  }

  /**
   * Checks what `update` would cost the room and records it; throws CostLimitError, recording
   * nothing, if it is too much.
   */
  admit(update: UpdateStructure): void {
    this.#admit(update, true)
  }

  #admit(update: UpdateStructure, enforce: boolean): void {
    const { limits } = this
    if (enforce && this.#subdocs + update.subdocs > limits.maxSubdocs) {
      throw new CostLimitError(`the room would hold more than ${limits.maxSubdocs} sub-documents`)
    }
    const resolution = new Resolution(this, update.structs)
    const levels = resolution.run()
    let pendingStructs = this.pending.size
    for (const [node, level] of levels) {
      if (enforce && level > limits.maxDepth) {
        throw new CostLimitError(`an item would be nested deeper than ${limits.maxDepth} levels`)
      }
      if (level === PENDING && !node.stored) pendingStructs++
      if (level !== PENDING && node.stored) pendingStructs--
    }
    const pendingDeletes = this.#pendingDeletes + this.#ghostDeletes(update)
    if (enforce && pendingStructs + pendingDeletes > limits.maxPending) {
      throw new CostLimitError(
        `the room would hold more than ${limits.maxPending} structs and deletions that refer to items it does not have`,
      )
    }
    this.#subdocs += update.subdocs
    this.#pendingDeletes = pendingDeletes
    for (const [node, level] of levels) {
      const { struct } = node
      if (node.stored) {
        const range = node.range as Range
        range.level = level
        if (level !== PENDING) {
          range.struct = null
          this.pending.delete(range)
        }
      } else {
        this.#insert(struct.client, node.from, struct.clock + struct.length, level, struct)
      }
    }
  }

  /** Delete ranges of `update` that reach past every clock the room and the update hold. */
  #ghostDeletes(update: UpdateStructure): number {
    const ends = new Map<number, number>()
    for (const struct of update.structs) ends.set(struct.client, struct.clock + struct.length)
    let ghosts = 0
    const { deletes } = update
    for (let i = 0; i < deletes.length; i += 3) {
      const client = deletes[i] as number
      let end = ends.get(client)
      if (end === undefined) {
        end = this.end(client)
        ends.set(client, end)
      } else {
        end = Math.max(end, this.end(client))
      }
      if ((deletes[i + 1] as number) + (deletes[i + 2] as number) > end) ghosts++
    }
    return ghosts
  }

  /** The end of the last clock range the room holds of `client` (0 if none). */
  end(client: number): number {
    const ranges = this.#clients.get(client)
    return ranges === undefined ? 0 : (ranges[ranges.length - 1] as Range).end
  }

  /** The range holding `id`, if the room has it. */
  find(id: Id): Range | undefined {
    const ranges = this.#clients.get(id.client)
    return (
      ranges &&
      covering(
        ranges,
        id.clock,
        (range) => range.clock,
        (range) => range.end,
      )
    )
  }

  /**
   * Records [clock, end) of `client` at `level`, except what the room already holds (Yjs skips
   * structs it has). Appending to a client's last range is the usual case, and merges.
   */
  #insert(client: number, clock: number, end: number, level: number, struct: Struct | null) {
    let ranges = this.#clients.get(client)
    if (ranges === undefined) {
      ranges = []
      this.#clients.set(client, ranges)
    }
    const pending = level === PENDING ? struct : null
    const last = ranges[ranges.length - 1]
    if (last === undefined || clock >= last.end) {
      if (last !== undefined && last.end === clock && last.level === level && pending === null) {
        last.end = end
      } else {
        this.#add(ranges, ranges.length, { clock, end, level, struct: pending })
      }
      return
    }
    // Out of order (a gap being filled): insert whatever parts of [clock, end) are not held.
    let index = ranges.findIndex((range) => range.end > clock)
    let from = clock
    while (from < end) {
      const next = ranges[index]
      if (next === undefined || next.clock >= end) {
        this.#add(ranges, index, { clock: from, end, level, struct: pending })
        return
      }
      if (next.clock > from) {
        this.#add(ranges, index, { clock: from, end: next.clock, level, struct: pending })
        index++
      }
      from = Math.max(from, next.end)
      index++
    }
  }

  #add(ranges: Range[], index: number, range: Range): void {
    ranges.splice(index, 0, range)
    if (range.struct !== null) this.pending.add(range)
  }
}

/**
 * What a struct's level follows from, with what each adds: the parent type's item (+1), or the
 * neighbours it was inserted between (the deeper of both, conservatively). A struct the room
 * already holds the start of continues after its own left neighbour.
 */
function anchorsOf(node: Node): Array<[Id, number]> {
  const { struct } = node
  if (struct.gc || struct.root) return []
  if (struct.parent !== null) return [[struct.parent, 1]]
  const anchors: Array<[Id, number]> = []
  if (struct.origin !== null) anchors.push([struct.origin, 0])
  if (struct.rightOrigin !== null) anchors.push([struct.rightOrigin, 0])
  if (node.from > struct.clock) anchors.push([{ client: struct.client, clock: node.from - 1 }, 0])
  return anchors
}

/** A struct whose level is being worked out: fresh from the update, or pending in the room. */
interface Node {
  struct: Struct
  /** Pending in the room already (its range is `range`), rather than fresh. */
  stored: boolean
  range: Range | null
  /** Where the part of the struct the room does not have yet starts. */
  from: number
  state: 0 | 1 | 2
}

/**
 * Works out the levels of an update's structs, and of the room's pending structs that it may
 * complete. Anchors are looked up in the room, then in the update; the graph is walked depth
 * first with an explicit stack (a chain thousands long must not recurse), and a cycle (only a
 * forged update has one) leaves its structs pending, as Yjs would.
 */
class Resolution {
  readonly #fresh = new Map<number, Node[]>()
  readonly #nodes: Node[] = []
  readonly #levels = new Map<Node, number>()

  constructor(
    private readonly room: RoomStructure,
    structs: readonly Struct[],
  ) {
    for (const struct of structs) {
      // Yjs skips what the room holds; a struct it holds only the start of is cut there.
      const from = Math.max(struct.clock, this.#heldUpTo(struct))
      if (from >= struct.clock + struct.length) continue
      const node: Node = { struct, stored: false, range: null, from, state: 0 }
      let list = this.#fresh.get(struct.client)
      if (list === undefined) {
        list = []
        this.#fresh.set(struct.client, list)
      }
      list.push(node)
      this.#nodes.push(node)
    }
  }

  #heldUpTo(struct: Struct): number {
    let clock = struct.clock
    for (;;) {
      const range = this.room.find({ client: struct.client, clock })
      if (range === undefined) return clock
      clock = range.end
    }
  }

  /** Levels of every fresh struct and of every pending one that this update touches. */
  run(): Map<Node, number> {
    for (const node of this.#nodes) this.#resolve(node)
    for (const range of this.room.pending) this.#resolve(this.#pendingNode(range))
    return this.#levels
  }

  #resolve(start: Node): void {
    // state: 0 not seen, 1 on the stack (waiting for an anchor), 2 resolved.
    const stack = [start]
    while (stack.length > 0) {
      const node = stack[stack.length - 1] as Node
      if (node.state === 2) {
        stack.pop()
        continue
      }
      node.state = 1
      let level = node.struct.gc ? 0 : node.struct.root ? 1 : 0
      let next: Node | null = null
      for (const [anchor, plus] of anchorsOf(node)) {
        const found = this.#anchorLevel(anchor)
        if (typeof found !== 'number') {
          next = found
          break
        }
        if (found === PENDING) {
          level = PENDING
          break
        }
        level = Math.max(level, found + plus)
      }
      if (next !== null) {
        stack.push(next)
        continue
      }
      node.state = 2
      this.#levels.set(node, level)
      stack.pop()
    }
  }

  /** The level of the item at `id`; PENDING if nobody has it yet; or a node to resolve first. */
  #anchorLevel(id: Id): number | Node {
    const found = this.#lookup(id)
    if (found === null || typeof found === 'number') return found ?? PENDING
    if (found.state === 2) return this.#levels.get(found) as number
    // On the stack already: a cycle, which Yjs can never integrate either.
    return found.state === 1 ? PENDING : found
  }

  /** The item at `id`: its level if the room holds it, its node if pending or fresh, or null. */
  #lookup(id: Id): number | Node | null {
    const range = this.room.find(id)
    if (range !== undefined) {
      if (range.struct === null) return range.level
      return this.#pendingNode(range)
    }
    const list = this.#fresh.get(id.client)
    const end = (node: Node) => node.struct.clock + node.struct.length
    return (list && covering(list, id.clock, (node) => node.from, end)) ?? null
  }

  readonly #pendingNodes = new Map<Range, Node>()

  #pendingNode(range: Range): Node {
    let node = this.#pendingNodes.get(range)
    if (node === undefined) {
      const struct = range.struct as Struct
      node = { struct, stored: true, range, from: range.clock, state: 0 }
      this.#pendingNodes.set(range, node)
    }
    return node
  }
}

/** The element of `sorted` (disjoint, by start) whose [start, end) holds `clock`: a binary search. */
function covering<T>(
  sorted: readonly T[],
  clock: number,
  start: (element: T) => number,
  end: (element: T) => number,
): T | undefined {
  let low = 0
  let high = sorted.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const element = sorted[middle] as T
    if (clock < start(element)) high = middle - 1
    else if (clock >= end(element)) low = middle + 1
    else return element
  }
  return undefined
}
