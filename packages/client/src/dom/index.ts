export { renderList } from './list.js'
export { bindText, transformPosition } from './text.js'
export { bindValue } from './value.js'
