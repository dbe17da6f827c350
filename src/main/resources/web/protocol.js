// JSDoc shapes of the wire messages in docs/protocol.md; no runtime code.
// Only the fields the client reads are listed.

/**
 * @typedef {'public'|'private'|'direct'} RoomKind
 * @typedef {'owner'|'moderator'|'member'} Role
 * @typedef {{id: string, name: string, topic?: string|null, lastSeq: number, online: number,
 *            kind?: RoomKind, role?: Role|null, with?: Sender|null,
 *            read?: number, unread?: number, mentions?: number, notify?: 'all'|'mentions'|'none'}} RoomInfo
 *     kind is absent from `joined` (and from servers before private rooms): keep the one known
 * @typedef {{userId: string, name: string, role: Role}} RoomMember one person of a room's `members` list
 * @typedef {{userId: string, username: string, name: string}} FoundUser one of `users`, the answer to `find_users`
 * @typedef {{type: 'member', room: string, user: Sender, role: Role|null, reason?: 'kicked'|'banned'|'unbanned'|'quit', by: Sender}} MemberEvent
 * @typedef {{type: 'removed', room: string, reason: 'kicked'|'banned'|'quit'|'deleted', by?: Sender}} RemovedEvent
 * @typedef {{sessionId: string, userId: string, name: string}} MemberInfo
 * @typedef {{userId: string, name: string}} Sender
 * @typedef {{id: string, name: string, size: number, type: string, sha256: string, stored: boolean,
 *            preview?: {image: string, width: number, height: number}}} FileInfo
 * @typedef {{emoji: string, count: number, by: Sender[]}} Reaction
 * @typedef {{seq: number, from: Sender, text: string, file?: string, deleted?: boolean}} ReplyQuote
 *     the message a reply answers, as it read when the reply was delivered (or since, applied by the room)
 * @typedef {{seq: number, clientId?: string|null, from: Sender, text: string, ts: number, file?: FileInfo,
 *            kind?: 'message'|'edit'|'delete'|'reaction', target?: number, emoji?: string, added?: boolean,
 *            edited?: number, deleted?: {by: Sender, ts: number}, reactions?: Reaction[], reply?: ReplyQuote,
 *            mentions?: {userId: string, username: string}[], mentionsRoom?: boolean, fromAck?: boolean}} ChatMessage
 *     fromAck: not from the server but made by this page from its own send's ack, until the room's copy comes
 *     a message (kind `message` or none), or a change to the message `target`
 * @typedef {{maxFrameBytes: number, maxTextChars: number, historyPageMax: number, unreadCountMax?: number}} Limits
 * @typedef {{type: 'welcome', sessionId: string, userId: string, name: string, limits: Limits}} Welcome
 * @typedef {{type: 'error', code: string, message?: string, ref?: string|null}} ErrorReply
 * @typedef {{sessionId: string, userId: string, name: string, order: number, audio: boolean, video: boolean, screen: boolean}} Participant
 * @typedef {{type: string, ref?: string|null, [key: string]: any}} ServerMessage
 * @typedef {{type: string, ref?: string, [key: string]: any}} ClientMessage
 */

export {};
