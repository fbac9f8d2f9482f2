import { useRoomOrServer } from './context.js'
import * as hooks from './index.js'

export * from './index.js'

/**
 * The hooks of the main entry, except that those reading the document suspend the component
 * until the room's local replica is loaded (`room.whenLoaded`), so that their first value is
 * never the empty one. Wrap them in `<Suspense>` inside the `<RoomProvider>`. While server
 * rendering nothing is loaded and nothing suspends: the initial values are rendered.
 */
export const useValue = suspending(hooks.useValue)
export const useMap = suspending(hooks.useMap)
export const useList = suspending(hooks.useList)
export const useText = suspending(hooks.useText)
export const useCounter = suspending(hooks.useCounter)
export const useSelector = suspending(hooks.useSelector)
export const useStorage = suspending(hooks.useStorage)

function suspending<Hook extends (...args: never[]) => unknown>(hook: Hook): Hook {
  const call = hook as unknown as (...args: unknown[]) => unknown
  return ((...args: unknown[]) => {
    const room = useRoomOrServer()
    // Thrown rather than passed to `use()`, which React 18 does not have. `whenLoaded` is one
    // promise per room, so React's retry finds the same one settled.
    if (room !== null && !room.loaded) throw room.whenLoaded
    return call(...args)
  }) as unknown as Hook
}
