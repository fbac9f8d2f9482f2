/** Promises that resolve once a condition holds, re-checked whenever `check()` is called. */
export class Waitlist {
  #waiting: { done: () => boolean; resolve: () => void; reject: (error: Error) => void }[] = []

  wait(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve()
    return new Promise((resolve, reject) => this.#waiting.push({ done, resolve, reject }))
  }

  check(): void {
    this.#waiting = this.#waiting.filter((waiter) => {
      if (!waiter.done()) return true
      waiter.resolve()
      return false
    })
  }

  rejectAll(error: Error): void {
    for (const waiter of this.#waiting) waiter.reject(error)
    this.#waiting = []
  }
}
