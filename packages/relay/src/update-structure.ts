import { ProtocolError } from '@accord/protocol'
import * as decoding from 'lib0/decoding'

/**
 * What the relay needs to know about a Yjs (v1) update before it applies or stores it, read
 * without building any Yjs object: `Y.decodeUpdate` would construct every struct, and one
 * `Y.Doc` per sub-document the update declares (a few bytes each on the wire, kilobytes each
 * in memory). The walk follows Yjs' own readers (`readClientsStructRefs`, `readItemContent`,
 * `readDeleteSet` in yjs/src/utils/encoding.js and the content classes), so an update it accepts
 * is one Yjs can read; every nesting it meets (types in types, `any` values in `any` values) is
 * bounded by `maxDepth` and walked without recursion.
 */
export interface UpdateStructure {
  /** Items and GC structs, in update order (per client, by clock). Skips are left out. */
  structs: Struct[]
  /** The delete set as flat triples: client, clock, length. */
  deletes: number[]
  /** Items that create a sub-document (ContentDoc). */
  subdocs: number
}

export interface Struct {
  client: number
  clock: number
  length: number
  /** GC structs are garbage: they sit in no type. */
  gc: boolean
  /** The item's parent is a root type (`doc.get(name)`). */
  root: boolean
  /** The item whose type is this item's parent, when given as an ID. */
  parent: Id | null
  /** The neighbours the item was inserted between; Yjs copies the parent from them. */
  origin: Id | null
  rightOrigin: Id | null
  /** The item's content is a type (Y.Map, Y.Array, Y.Text, XML): it can have children. */
  type: boolean
}

export interface Id {
  client: number
  clock: number
}

/** Limits that apply while reading: past them the walk stops at once. */
export interface ReadLimits {
  /** Deepest `any` value (arrays and objects in arrays and objects). */
  maxDepth: number
  /** Delete-set ranges in one update. */
  maxDeleteRanges: number
}

/** An update over a cost limit: valid Yjs, refused all the same. */
export class CostLimitError extends Error {
  override readonly name = 'CostLimitError'
}

const CONTENT_DELETED = 1
const CONTENT_JSON = 2
const CONTENT_BINARY = 3
const CONTENT_STRING = 4
const CONTENT_EMBED = 5
const CONTENT_FORMAT = 6
const CONTENT_TYPE = 7
const CONTENT_ANY = 8
const CONTENT_DOC = 9
const SKIP = 10
/** Yjs' type refs: YArray, YMap, YText, YXmlElement, YXmlFragment, YXmlHook, YXmlText. */
const TYPE_REFS = 7
const XML_ELEMENT = 3
const XML_HOOK = 5

/** Reads `update` whole; throws ProtocolError if Yjs could not, CostLimitError past a limit. */
export function readUpdate(update: Uint8Array, limits: ReadLimits): UpdateStructure {
  const decoder = decoding.createDecoder(update)
  try {
    const result: UpdateStructure = { structs: [], deletes: [], subdocs: 0 }
    readStructs(decoder, result, limits)
    readDeletes(decoder, result, limits)
    return result
  } catch (error) {
    if (error instanceof CostLimitError) throw error
    throw new ProtocolError(`invalid Yjs update: ${(error as Error).message}`)
  }
}

function readStructs(decoder: decoding.Decoder, result: UpdateStructure, limits: ReadLimits) {
  const clients = decoding.readVarUint(decoder)
  const seen = new Set<number>()
  for (let c = 0; c < clients; c++) {
    const count = decoding.readVarUint(decoder)
    const client = decoding.readVarUint(decoder)
    // Yjs keeps only the last list of a client given twice; no encoder writes one twice.
    if (seen.has(client)) throw new Error(`client ${client} is listed twice`)
    seen.add(client)
    let clock = decoding.readVarUint(decoder)
    for (let i = 0; i < count; i++) {
      const info = decoding.readUint8(decoder)
      const ref = info & 0b11111
      if (ref === 0 || ref === SKIP) {
        const length = decoding.readVarUint(decoder)
        if (ref === 0) result.structs.push(gcStruct(client, clock, length))
        clock += length
        continue
      }
      const origin = (info & 0b10000000) !== 0 ? readId(decoder) : null
      const rightOrigin = (info & 0b01000000) !== 0 ? readId(decoder) : null
      let root = false
      let parent: Id | null = null
      if (origin === null && rightOrigin === null) {
        if (decoding.readVarUint(decoder) === 1) {
          decoding.readVarString(decoder)
          root = true
        } else {
          parent = readId(decoder)
        }
        if ((info & 0b00100000) !== 0) decoding.readVarString(decoder) // parentSub (map key)
      }
      const length = readContent(decoder, ref, limits)
      if (ref === CONTENT_DOC) result.subdocs++
      result.structs.push({
        client,
        clock,
        length,
        gc: false,
        root,
        parent,
        origin,
        rightOrigin,
        type: ref === CONTENT_TYPE,
      })
      clock += length
    }
  }
}

function gcStruct(client: number, clock: number, length: number): Struct {
  return {
    client,
    clock,
    length,
    gc: true,
    root: false,
    parent: null,
    origin: null,
    rightOrigin: null,
    type: false,
  }
}

function readId(decoder: decoding.Decoder): Id {
  return { client: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder) }
}

/** Skips one item's content; returns its length in clock units, as Yjs counts it. */
function readContent(decoder: decoding.Decoder, ref: number, limits: ReadLimits): number {
  switch (ref) {
    case CONTENT_DELETED:
      return decoding.readVarUint(decoder)
    case CONTENT_JSON: {
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) {
        const json = decoding.readVarString(decoder)
        if (json !== 'undefined') JSON.parse(json)
      }
      return length
    }
    case CONTENT_BINARY:
      decoding.readVarUint8Array(decoder)
      return 1
    case CONTENT_STRING:
      // Yjs counts UTF-16 code units of the decoded string: decode it the same way.
      return decoding.readVarString(decoder).length
    case CONTENT_EMBED:
      JSON.parse(decoding.readVarString(decoder))
      return 1
    case CONTENT_FORMAT:
      decoding.readVarString(decoder)
      JSON.parse(decoding.readVarString(decoder))
      return 1
    case CONTENT_TYPE: {
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef >= TYPE_REFS) throw new Error(`unknown type ref ${typeRef}`)
      if (typeRef === XML_ELEMENT || typeRef === XML_HOOK) decoding.readVarString(decoder)
      return 1
    }
    case CONTENT_ANY: {
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) skipAny(decoder, limits.maxDepth)
      return length
    }
    case CONTENT_DOC:
      decoding.readVarString(decoder) // guid
      skipAny(decoder, limits.maxDepth) // options
      return 1
    default:
      throw new Error(`unknown content ref ${ref}`)
  }
}

/**
 * Skips one lib0 `any` value without recursion (lib0's readAny recurses: a value nested some
 * thousands deep overflows the stack of whoever reads it, the relay or a client). `remaining`
 * counts the values still to read at each open level; `inObject` says whether each is keyed.
 */
function skipAny(decoder: decoding.Decoder, maxDepth: number): void {
  const remaining = [1]
  const inObject = [false]
  while (remaining.length > 0) {
    const top = remaining.length - 1
    if (remaining[top] === 0) {
      remaining.pop()
      inObject.pop()
      continue
    }
    remaining[top] = (remaining[top] as number) - 1
    if (inObject[top]) decoding.readVarString(decoder)
    const tag = decoding.readUint8(decoder)
    switch (tag) {
      case 127: // undefined
      case 126: // null
      case 121: // false
      case 120: // true
        break
      case 125:
        decoding.readVarInt(decoder)
        break
      case 124:
        decoding.readFloat32(decoder)
        break
      case 123:
        decoding.readFloat64(decoder)
        break
      case 122:
        decoding.readBigInt64(decoder)
        break
      case 119:
        decoding.readVarString(decoder)
        break
      case 118: // object
      case 117: // array
        if (remaining.length >= maxDepth) {
          throw new CostLimitError(`a value is nested deeper than ${maxDepth} levels`)
        }
        remaining.push(decoding.readVarUint(decoder))
        inObject.push(tag === 118)
        break
      case 116:
        decoding.readVarUint8Array(decoder)
        break
      default:
        throw new Error(`unknown any tag ${tag}`)
    }
  }
}

function readDeletes(decoder: decoding.Decoder, result: UpdateStructure, limits: ReadLimits) {
  const clients = decoding.readVarUint(decoder)
  let ranges = 0
  for (let c = 0; c < clients; c++) {
    const client = decoding.readVarUint(decoder)
    const count = decoding.readVarUint(decoder)
    ranges += count
    if (ranges > limits.maxDeleteRanges) {
      throw new CostLimitError(`the delete set has more than ${limits.maxDeleteRanges} ranges`)
    }
    for (let i = 0; i < count; i++) {
      result.deletes.push(client, decoding.readVarUint(decoder), decoding.readVarUint(decoder))
    }
  }
}
