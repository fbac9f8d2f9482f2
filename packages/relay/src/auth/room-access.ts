/** What a connection may do in its room. */
export type Access = 'write' | 'read' | 'none'

/**
 * A grant as it appears in a token's `rooms` claim: `"<pattern>:<read|write>"`. In a pattern
 * `*` matches any characters except `/` and `**` matches any characters at all, so
 * `board/*:write` grants `board/42` but not `board/42/notes`, and `org/7/**:read` grants
 * everything under `org/7/`.
 */
export interface Grant {
  pattern: RegExp
  access: 'read' | 'write'
}

export class InvalidGrantError extends Error {
  override readonly name = 'InvalidGrantError'
}

export function parseGrant(text: string): Grant {
  const separator = text.lastIndexOf(':')
  const pattern = text.slice(0, separator)
  const access = text.slice(separator + 1)
  if (separator <= 0 || (access !== 'read' && access !== 'write')) {
    throw new InvalidGrantError(`"${text}" is not "<room pattern>:read" or "<room pattern>:write"`)
  }
  return { pattern: globToRegExp(pattern), access }
}

/** The strongest access any grant gives to `room`. */
export function accessTo(room: string, grants: readonly Grant[]): Access {
  let access: Access = 'none'
  for (const grant of grants) {
    if (!grant.pattern.test(room)) continue
    if (grant.access === 'write') return 'write'
    access = 'read'
  }
  return access
}

function globToRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*'
      i++
    } else if (char === '*') {
      source += '[^/]*'
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${source}$`, 's')
}
