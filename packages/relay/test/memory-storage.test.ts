import { MemoryStorage } from '../src/storage/index.js'
import { runStorageAdapterTests } from './storage-acceptance.js'

runStorageAdapterTests('MemoryStorage', async () => {
  const storage = new MemoryStorage()
  await storage.open()
  return { storage, teardown: () => storage.close() }
})
