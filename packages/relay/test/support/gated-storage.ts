import { MemoryStorage } from '../../src/index.js'

/**
 * MemoryStorage whose appends (or loads) wait until the test opens the gate: the only way to
 * observe the relay *between* receiving an update and having stored it. Counts calls.
 */
export class GatedStorage extends MemoryStorage {
  appends: number[] = []
  loads = 0
  failAppends = false
  #gate: Promise<void> = Promise.resolve()
  #open: () => void = () => {}
  gateLoads = false

  closeGate(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve
    })
  }

  openGate(): void {
    this.#open()
  }

  override async append(room: string, updates: readonly Uint8Array[]): Promise<void> {
    this.appends.push(updates.length)
    await this.#gate
    if (this.failAppends) throw new Error('disk full (simulated)')
    return super.append(room, updates)
  }

  override async load(room: string) {
    this.loads++
    if (this.gateLoads) await this.#gate
    return super.load(room)
  }
}
