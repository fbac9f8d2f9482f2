import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LevelStorage } from '../src/storage/index.js'
import { runStorageAdapterTests } from './storage-acceptance.js'

/** A fresh temporary directory; `open` opens a new LevelStorage over `<dir>/db`. */
async function fixture(sync?: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'accord-level-'))
  const path = join(dir, 'db')
  const opened: LevelStorage[] = []
  const open = async (): Promise<LevelStorage> => {
    const storage = new LevelStorage({ path, sync })
    opened.push(storage)
    await storage.open()
    return storage
  }
  const teardown = async (): Promise<void> => {
    for (const storage of opened) await storage.close()
    await rm(dir, { recursive: true, force: true })
  }
  return { dir, path, open, teardown }
}

for (const sync of [false, true]) {
  runStorageAdapterTests(`LevelStorage (sync: ${sync})`, async () => {
    const { open, teardown } = await fixture(sync)
    return { storage: await open(), reopen: open, teardown }
  })
}

describe('LevelStorage', () => {
  let fx: Awaited<ReturnType<typeof fixture>>

  beforeEach(async () => {
    fx = await fixture()
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    await fx.teardown()
  })

  it('creates missing parent directories', async () => {
    const storage = new LevelStorage({ path: join(fx.dir, 'deep', 'er', 'db') })
    await storage.open()
    await storage.append('room', [new Uint8Array([1])])
    await storage.close()
    expect(await readdir(join(fx.dir, 'deep', 'er', 'db'))).toContain('CURRENT')
  })

  it('rejects a database whose CURRENT file is garbage, naming the path', async () => {
    const storage = await fx.open()
    await storage.append('room', [new Uint8Array([1])])
    await storage.close()
    await writeFile(join(fx.path, 'CURRENT'), 'this is not a manifest name')
    await expect(new LevelStorage({ path: fx.path }).open()).rejects.toThrow(
      new RegExp(`cannot open the LevelDB database at ${escapeRegExp(fx.path)}: .*Corruption`),
    )
  })

  it('rejects a database whose CURRENT names a missing manifest', async () => {
    const storage = await fx.open()
    await storage.close()
    await writeFile(join(fx.path, 'CURRENT'), 'MANIFEST-999999\n')
    await expect(new LevelStorage({ path: fx.path }).open()).rejects.toThrow(escapeRegExp(fx.path))
  })

  it('refuses a non-empty directory that is not a LevelDB database, and leaves it alone', async () => {
    const dir = join(fx.dir, 'photos')
    await mkdir(join(dir, 'album'), { recursive: true })
    await writeFile(join(dir, 'cat.jpg'), 'meow')
    await writeFile(join(dir, '000005.ldb'), 'orphaned table')

    const storage = new LevelStorage({ path: dir })
    const error = await storage.open().then(
      () => undefined,
      (err: unknown) => err as Error,
    )
    expect(error?.message).toMatch(`${dir} is not a LevelDB database`)
    expect(error?.message).toMatch('cat.jpg')
    expect(storage.isOpen()).toBe(false)
    expect((await readdir(dir)).sort()).toEqual(['000005.ldb', 'album', 'cat.jpg'])
    expect(await readFile(join(dir, '000005.ldb'), 'utf8')).toBe('orphaned table')
  })

  it('refuses a path that is a file', async () => {
    const file = join(fx.dir, 'file')
    await writeFile(file, 'hello')
    await expect(new LevelStorage({ path: file }).open()).rejects.toThrow(
      `${file} exists and is not a directory`,
    )
  })

  it('opens a directory left by an interrupted create (no CURRENT yet)', async () => {
    await mkdir(fx.path)
    await writeFile(join(fx.path, 'LOCK'), '')
    await writeFile(join(fx.path, 'LOG'), '')
    const storage = await fx.open()
    await storage.append('room', [new Uint8Array([1])])
    expect((await storage.load('room')).log).toHaveLength(1)
  })

  it('shares one attempt between concurrent open() calls', async () => {
    const storage = new LevelStorage({ path: fx.path })
    await Promise.all([storage.open(), storage.open()])
    expect(storage.isOpen()).toBe(true)
    await storage.close()
  })

  it('rejects a second store on a database that is already open, naming the path', async () => {
    const first = await fx.open()
    await expect(new LevelStorage({ path: fx.path }).open()).rejects.toThrow(escapeRegExp(fx.path))
    await first.append('room', [new Uint8Array([1])])
    expect((await first.load('room')).log).toHaveLength(1)
  })

  it('rejects room names that would break its key layout', async () => {
    const storage = await fx.open()
    await expect(storage.append('a\u0000b', [new Uint8Array([1])])).rejects.toThrow(
      /invalid room name/,
    )
    await expect(storage.load('\ud800')).rejects.toThrow(/invalid room name/)
    await storage.append('\ud83c\udf89', [new Uint8Array([1])]) // a surrogate pair is fine
    expect((await storage.load('🎉')).log).toHaveLength(1)
  })

  it('keeps call order for overlapping writes to the same room', async () => {
    const storage = await fx.open()
    const writes: Promise<void>[] = []
    for (let i = 0; i < 50; i++) {
      writes.push(storage.append('room', [new Uint8Array([i])]))
      if (i === 24) writes.push(storage.replace('room', new Uint8Array([200])))
    }
    await Promise.all(writes)
    const stored = await storage.load('room')
    expect(stored.snapshot).toEqual(new Uint8Array([200]))
    expect(stored.log.map((update) => update[0])).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 25),
    )
  })

  it('reads the sequence counter once per room in use, and again after release()', async () => {
    const storage = await fx.open()
    const get = vi.spyOn(Level.prototype, 'get')
    await storage.append('room', [new Uint8Array([1])])
    await storage.append('room', [new Uint8Array([2])])
    await storage.load('room')
    await storage.append('room', [new Uint8Array([3])])
    expect(get).toHaveBeenCalledTimes(1)
    storage.release?.('room')
    await storage.append('room', [new Uint8Array([4])])
    expect(get).toHaveBeenCalledTimes(2)
    // Loading also tells the counter: no read for the first append after a load.
    storage.release?.('room')
    await storage.load('room')
    await storage.append('room', [new Uint8Array([5])])
    expect(get).toHaveBeenCalledTimes(2)
    expect((await storage.load('room')).log.map((update) => update[0])).toEqual([1, 2, 3, 4, 5])
  })

  it('stores the documented key layout and never reuses a log key', async () => {
    let storage = await fx.open()
    await storage.append('a', [new Uint8Array([1]), new Uint8Array([2])])
    await storage.replace('a', new Uint8Array([9]))
    await storage.close()
    storage = await fx.open()
    await storage.append('a', [new Uint8Array([3])])
    await storage.append('a/b', [new Uint8Array([4])])
    await storage.close()

    const db = new Level<string, Uint8Array>(fx.path, { valueEncoding: 'view' })
    try {
      expect(await db.keys().all()).toEqual([
        'ra\u0000c',
        'ra\u0000l0000000000000001', // record 0 (two updates) was compacted away, not reused
        'ra\u0000s',
        'ra/b\u0000c',
        'ra/b\u0000l0000000000000000',
      ])
      expect(new TextDecoder().decode(await db.get('ra\u0000c'))).toBe('0000000000000002')
      // One record per append: the update count, then each update's length and bytes.
      expect([...((await db.get('ra\u0000l0000000000000001')) as Uint8Array)]).toEqual([1, 1, 3])
    } finally {
      await db.close()
    }
  })

  it('commits the appends of every room made in one turn as one LevelDB batch', async () => {
    const storage = await fx.open()
    const rooms = ['a', 'b', 'c/d']
    // Loaded first, as the relay does: then no append waits for a read of its counter.
    for (const room of rooms) await storage.load(room)
    const batch = vi.spyOn(Level.prototype, 'batch')
    await Promise.all(rooms.map((room, i) => storage.append(room, [new Uint8Array([i])])))
    expect(batch).toHaveBeenCalledTimes(1)
    await storage.append('a', [new Uint8Array([9])])
    expect(batch).toHaveBeenCalledTimes(2)
    for (const [i, room] of rooms.entries()) {
      const expected = room === 'a' ? [[i], [9]] : [[i]]
      expect((await storage.load(room)).log.map((update) => [...update])).toEqual(expected)
    }
  })

  it('refuses a snapshot that no longer matches the checksum stored with it', async () => {
    const storage = await fx.open()
    await storage.replace('room', new Uint8Array([1, 2, 3]), new Uint8Array([0]))
    await storage.close()
    const db = new Level<string, Uint8Array>(fx.path, { valueEncoding: 'view' })
    await db.put('rroom\u0000s', new Uint8Array([1, 2, 4])) // one damaged byte
    await db.close()
    const reopened = await fx.open()
    await expect(reopened.load('room')).rejects.toThrow(
      'LevelStorage: the snapshot of room "room" does not match its checksum',
    )
  })

  it('returns plain Uint8Arrays', async () => {
    const storage = await fx.open()
    await storage.replace('room', new Uint8Array([1]))
    await storage.append('room', [new Uint8Array([2])])
    const stored = await storage.load('room')
    expect(stored.snapshot?.constructor).toBe(Uint8Array)
    expect(stored.log[0]?.constructor).toBe(Uint8Array)
  })

  it('lists many rooms by skipping over their logs', async () => {
    const storage = await fx.open()
    const names = Array.from({ length: 200 }, (_, i) => `room/${i}`)
    for (const room of names) {
      await storage.append(
        room,
        Array.from({ length: 50 }, (_, i) => new Uint8Array([i])),
      )
    }
    // Count the keys the listing reads: one per room, not one per stored update.
    let reads = 0
    const keys = Level.prototype.keys
    vi.spyOn(Level.prototype, 'keys').mockImplementation(function (this: Level, ...args) {
      const iterator = keys.apply(this, args as Parameters<typeof keys>)
      const next = iterator.next.bind(iterator)
      iterator.next = (async () => {
        reads++
        return next()
      }) as typeof iterator.next
      return iterator
    })
    const listed: string[] = []
    for await (const room of storage.rooms()) listed.push(room)
    expect(listed.sort()).toEqual([...names].sort())
    expect(reads).toBe(201) // 200 rooms + the end of the range
  })

  it('persists every write with sync: true', async () => {
    const sync = await fixture(true)
    try {
      const storage = await sync.open()
      await storage.append('room', [new Uint8Array([1])])
      await storage.replace('other', new Uint8Array([2]))
      await storage.append('other', [new Uint8Array([3])])
      await storage.delete('room')
      await storage.close()
      const reopened = await sync.open()
      expect(await reopened.load('room')).toEqual({ snapshot: null, log: [] })
      expect(await reopened.load('other')).toEqual({
        snapshot: new Uint8Array([2]),
        log: [new Uint8Array([3])],
      })
    } finally {
      await sync.teardown()
    }
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
