// JSDoc shapes of the wire messages in docs/protocol.md; no runtime code.
// Only the fields the client reads are listed.

/**
 * @typedef {{id: string, name: string, topic?: string|null, lastSeq: number, online: number}} RoomInfo
 * @typedef {{sessionId: string, userId: string, name: string}} MemberInfo
 * @typedef {{userId: string, name: string}} Sender
 * @typedef {{id: string, name: string, size: number, type: string, sha256: string, stored: boolean}} FileInfo
 * @typedef {{seq: number, clientId?: string|null, from: Sender, text: string, ts: number, file?: FileInfo}} ChatMessage
 * @typedef {{maxFrameBytes: number, maxTextChars: number, historyPageMax: number}} Limits
 * @typedef {{type: 'welcome', sessionId: string, userId: string, name: string, limits: Limits}} Welcome
 * @typedef {{type: 'error', code: string, message?: string, ref?: string|null}} ErrorReply
 * @typedef {{sessionId: string, userId: string, name: string, order: number, audio: boolean, video: boolean, screen: boolean}} Participant
 * @typedef {{type: string, ref?: string|null, [key: string]: any}} ServerMessage
 * @typedef {{type: string, ref?: string, [key: string]: any}} ClientMessage
 */

export {};
