export {
  type AccordRelay,
  type AccordRelayOptions,
  default,
  default as accordRelay,
} from './plugin.js'
export { MAX_ROOM_NAME_BYTES } from './room-name.js'
export type { CompactionPolicy } from './room-writer.js'
export { createRelayServer, type RelayServerOptions } from './server.js'
export * from './storage/index.js'
