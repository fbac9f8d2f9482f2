export { LevelStorage, type LevelStorageOptions } from './level-storage.js'
export { MemoryStorage } from './memory-storage.js'
export type { Storage, StoredRoom } from './storage.js'
