export {
  AWARENESS_REMOVED,
  type AwarenessEntry,
  decodeAwarenessUpdate,
  encodeAwarenessUpdate,
} from './awareness.js'
export {
  CloseCode,
  type CloseCodeName,
  type CloseCodeValue,
  closeCodeName,
  isPermanentClose,
} from './close-codes.js'
export {
  ALL_FEATURES,
  AuthType,
  Feature,
  MessageType,
  PROTOCOL_VERSION,
  SyncType,
} from './message-types.js'
export {
  decodeMessage,
  encodeAck,
  encodeAuthDenied,
  encodeAwareness,
  encodeError,
  encodeEvent,
  encodeHello,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  type Message,
} from './messages.js'
export { ProtocolError } from './protocol-error.js'
