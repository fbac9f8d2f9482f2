/** Entry of the load-generator process: `node dist/load/main.js '<task json>'`. */
import type { LoadTask } from './spawn.js'

const task = JSON.parse(process.argv[2] ?? '{}') as LoadTask

async function main(): Promise<unknown> {
  switch (task.workload) {
    case 'fanout':
      return (await import('../workloads/fanout.js')).fanoutLoad(task as never)
    case 'rooms':
      return (await import('../workloads/rooms.js')).roomsLoad(task as never)
    case 'coldload-push':
      return (await import('../workloads/coldload.js')).pushLoad(task as never)
    case 'coldload-load':
      return (await import('../workloads/coldload.js')).coldLoad(task as never)
    case 'convergence':
      return (await import('../workloads/convergence.js')).convergenceLoad(task as never)
    case 'storage':
      return (await import('../workloads/storage.js')).storageLoad(task as never)
    default:
      throw new Error(`unknown workload ${task.workload}`)
  }
}

main().then(
  (result) => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
    process.exit(0)
  },
  (error: Error) => {
    process.stderr.write(`load process failed: ${error.stack ?? error.message}\n`)
    process.exit(1)
  },
)
