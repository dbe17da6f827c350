package parley.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import parley.room.ChatMessage;
import parley.room.ChatMessage.Kind;
import parley.room.ChatStore.AppendOutcome;
import parley.room.ChatStore.BannedException;
import parley.room.ChatStore.NameTakenException;
import parley.room.ChatStore.NewMessage;
import parley.room.ChatStore.NewRoom;
import parley.room.ChatStore.Person;
import parley.room.ChatStore.StoredRoom;
import parley.room.Role;
import parley.room.RoomException;
import parley.room.RoomFile;
import parley.room.RoomId;
import parley.room.RoomKind;
import parley.room.Search;
import parley.room.Membership;
import parley.room.Mentions;
import parley.room.ReadState;
import parley.room.SharedFile;
import parley.room.UserId;
import parley.room.UserRef;

/**
 * The SQL of {@link parley.room.ChatStore}: rooms, messages, files, members and bans, and the people rooms
 * may be given. Writes run on the group commit's writer, reads on its readers ({@link SqlStore} says which
 * is which). Each room's highest seq is cached for the writer and written to {@code rooms.last_seq} once
 * per batch, in the same transaction as the messages.
 */
final class ChatSql implements GroupCommit.BatchState {

    /**
     * An entry as it reads now: an edit with its target's text of now (an edit keeps no text of its own), a
     * reply with the message it answers as that reads now ({@code q}, and {@code qf} its file).
     */
    private static final String SELECT_MESSAGE = """
            SELECT m.room_id, m.seq, m.sender_id, m.sender_name, m.client_id,
                   CASE WHEN m.kind = 'edit' THEN t.body ELSE m.body END, m.created_at,
                   f.id, f.name, f.size, f.type, f.sha256, f.stored_at,
                   m.kind, m.target_seq, m.emoji, m.added, m.edited_at, m.deleted_at, m.deleted_by, m.deleted_by_name,
                   m.reply_to, q.sender_id, q.sender_name, q.body, qf.name, q.deleted_at IS NOT NULL,
                   f.preview, f.preview_width, f.preview_height, m.mentions, m.mentions_room
            FROM messages m LEFT JOIN files f ON f.id = m.file_id
            LEFT JOIN messages t ON m.kind = 'edit' AND t.room_id = m.room_id AND t.seq = m.target_seq
            LEFT JOIN messages q ON q.room_id = m.room_id AND q.seq = m.reply_to
            LEFT JOIN files qf ON qf.id = q.file_id""";
    private static final String BY_CLIENT_ID = " WHERE m.room_id = ? AND m.sender_id = ? AND m.client_id = ?";
    private static final String SELECT_PERSON = "SELECT id, username, name, role = 'admin' FROM accounts WHERE disabled_at IS NULL";

    private final Map<RoomId, Long> lastSeq = new HashMap<>(); // writer thread only
    private long lastSearchRowid = -1; // writer thread only; -1: not read yet
    private final Set<RoomId> touched = new HashSet<>(); // rooms written in this batch

    // ---- writes ---------------------------------------------------------------------------------

    /** The write that appends {@code m}; its outcome goes to {@code onDurable} (see ChatStore#append). */
    GroupCommit.Write append(NewMessage m, Consumer<AppendOutcome> onDurable) {
        return new GroupCommit.Write() {
            AppendOutcome outcome;

            @Override
            public void apply(Sql sql) throws SQLException {
                Long current = currentSeq(sql, m.room());
                if (current == null) {
                    outcome = new AppendOutcome.Failed(new SQLException("no such room: " + m.room()));
                    return;
                }
                long next = current + 1;
                if (m.kind() != Kind.MESSAGE) {
                    outcome = change(sql, m, next);
                    return;
                }
                SharedFile file = m.file();
                ChatMessage.Reply reply = null;
                if (m.replyTo() > 0) {
                    // As for a change: a retry finds its message, whatever its target has become since.
                    ChatMessage original = sql.one(SELECT_MESSAGE + BY_CLIENT_ID, ChatSql::message, m.room(), m.sender(), m.clientId());
                    if (original != null) {
                        outcome = new AppendOutcome.Stored(original, true);
                        return;
                    }
                    record Target(Kind kind, ChatMessage.Reply quote) {}
                    Target target = sql.one("""
                            SELECT q.kind, q.seq, q.sender_id, q.sender_name, q.body, qf.name, q.deleted_at IS NOT NULL
                            FROM messages q LEFT JOIN files qf ON qf.id = q.file_id WHERE q.room_id = ? AND q.seq = ?""",
                            r -> new Target(Kind.of(r.getString(1)), reply(r, 2)), m.room(), m.replyTo());
                    RoomException refusal = parley.room.ChatStore.replyRefusal(m.replyTo(), target == null ? null : target.kind(),
                            target != null && target.quote().deleted());
                    reply = target == null ? null : target.quote();
                    if (refusal != null) {
                        outcome = new AppendOutcome.Refused(refusal);
                        return;
                    }
                }
                // A resend of a stored file message must not store its file twice.
                if (file != null && !sql.exists("SELECT 1 FROM messages m" + BY_CLIENT_ID, m.room(), m.sender(), m.clientId())) {
                    sql.update("""
                            INSERT INTO files (id, room_id, uploader_id, name, size, type, sha256, preview, preview_width, preview_height)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                            file.id(), m.room(), m.sender(), file.name(), file.size(), file.type(), file.sha256(),
                            file.preview() == null ? null : file.preview().image(),
                            file.preview() == null ? null : file.preview().width(),
                            file.preview() == null ? null : file.preview().height());
                }
                Mentions mentions = mentions(sql, m.mentions());
                long searchRowid = lastSearchRowid(sql) + 1;
                int inserted = sql.update("""
                        INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at, file_id, reply_to,
                                              mentions, mentions_room, search_rowid)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (room_id, sender_id, client_id) DO NOTHING""",
                        m.room(), next, m.sender(), m.senderName(), m.clientId(), m.text(), m.ts(), file == null ? null : file.id(),
                        reply == null ? null : m.replyTo(), mentionsColumn(mentions), mentions.room() ? 1 : null, searchRowid);
                if (inserted == 1) {
                    lastSearchRowid = searchRowid;
                    index(sql, searchRowid, m.room(), next, m.text());
                    lastSeq.put(m.room(), next);
                    touched.add(m.room());
                    outcome = new AppendOutcome.Stored(new ChatMessage(m.room(), next, m.clientId(), m.sender(),
                            m.senderName(), m.text(), m.ts(), file, Kind.MESSAGE, 0, null, null, null, null, List.of(), reply,
                            mentions), false);
                } else {
                    ChatMessage original = sql.one(SELECT_MESSAGE + BY_CLIENT_ID, ChatSql::message, m.room(), m.sender(), m.clientId());
                    outcome = new AppendOutcome.Stored(original, true);
                }
            }

            @Override
            public void done() {
                onDurable.accept(outcome);
            }

            @Override
            public void failed(Exception e) {
                onDurable.accept(new AppendOutcome.Failed(e));
            }
        };
    }

    /** The accounts a message's text names that may be mentioned (see ChatStore.NewMessage), in the text's order. */
    private static Mentions mentions(Sql sql, Mentions.Asked asked) throws SQLException {
        if (asked.isEmpty()) return Mentions.NONE;
        List<Mentions.Mention> people = new ArrayList<>();
        for (String username : asked.usernames()) {
            Mentions.Mention found = sql.one("SELECT id, username FROM accounts WHERE username_key = ? AND disabled_at IS NULL",
                    r -> new Mentions.Mention(new UserId(r.getString(1)), r.getString(2)), username);
            if (found != null && asked.allows(found.user()) && people.stream().noneMatch(p -> p.user().equals(found.user()))) {
                people.add(found);
            }
        }
        return new Mentions(people, asked.room());
    }

    /** The mentions column: ' u_1:ada u_2:grace ', or null for no one. */
    private static String mentionsColumn(Mentions mentions) {
        if (mentions.people().isEmpty()) return null;
        StringBuilder b = new StringBuilder(" ");
        for (Mentions.Mention p : mentions.people()) b.append(p.user().value()).append(':').append(p.username()).append(' ');
        return b.toString();
    }

    private static Mentions mentionsOf(String column, boolean room) {
        if (column == null) return room ? new Mentions(List.of(), true) : Mentions.NONE;
        List<Mentions.Mention> people = new ArrayList<>();
        for (String token : column.strip().split(" ")) {
            int colon = token.indexOf(':');
            people.add(new Mentions.Mention(new UserId(token.substring(0, colon)), token.substring(colon + 1)));
        }
        return new Mentions(people, room);
    }

    /**
     * Appends a change as entry {@code seq} and applies it to its target, or refuses it (see
     * ChatStore): the client id is looked for first, so that a retry finds its entry whatever its
     * target has become since.
     */
    private AppendOutcome change(Sql sql, NewMessage m, long seq) throws SQLException {
        ChatMessage original = sql.one(SELECT_MESSAGE + BY_CLIENT_ID, ChatSql::message, m.room(), m.sender(), m.clientId());
        if (original != null) return new AppendOutcome.Stored(original, true);
        record Target(String kind, String sender, boolean deleted, String file, long searchRowid) {}
        Target target = sql.one("SELECT kind, sender_id, deleted_at IS NOT NULL, file_id, search_rowid FROM messages WHERE room_id = ? AND seq = ?",
                r -> new Target(r.getString(1), r.getString(2), r.getBoolean(3), r.getString(4), r.getLong(5)), m.room(), m.target());
        RoomException refusal = parley.room.ChatStore.refusal(m, target == null ? null : Kind.of(target.kind()),
                target != null && target.deleted(), target != null && target.sender().equals(m.sender().value()));
        if (refusal != null) return new AppendOutcome.Refused(refusal);
        Boolean added = null;
        switch (m.kind()) {
            case EDIT -> {
                sql.update("UPDATE messages SET body = ?, edited_at = ? WHERE room_id = ? AND seq = ?",
                        m.text(), m.ts(), m.room(), m.target());
                sql.update("DELETE FROM message_search WHERE rowid = ?", target.searchRowid());
                index(sql, target.searchRowid(), m.room(), m.target(), m.text());
            }
            case DELETE -> {
                sql.update("DELETE FROM message_search WHERE rowid = ?", target.searchRowid());
                sql.update("""
                        UPDATE messages SET body = '', file_id = NULL, deleted_at = ?, deleted_by = ?, deleted_by_name = ?,
                                            mentions = NULL, mentions_room = NULL
                        WHERE room_id = ? AND seq = ?""", m.ts(), m.sender(), m.senderName(), m.room(), m.target());
                sql.update("DELETE FROM reactions WHERE room_id = ? AND seq = ?", m.room(), m.target());
                if (target.file() != null) sql.update("DELETE FROM files WHERE id = ?", target.file());
            }
            case REACTION -> {
                added = sql.update("DELETE FROM reactions WHERE room_id = ? AND seq = ? AND emoji = ? AND user_id = ?",
                        m.room(), m.target(), m.emoji(), m.sender()) == 0;
                if (added) {
                    sql.update("INSERT INTO reactions (room_id, seq, emoji, user_id, user_name, reacted_at) VALUES (?, ?, ?, ?, ?, ?)",
                            m.room(), m.target(), m.emoji(), m.sender(), m.senderName(), m.ts());
                }
            }
            case MESSAGE -> throw new IllegalArgumentException("not a change");
        }
        sql.update("""
                INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at, kind, target_seq, emoji, added)
                VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)""",
                m.room(), seq, m.sender(), m.senderName(), m.clientId(), m.ts(), m.kind().wire(), m.target(), m.emoji(), added);
        lastSeq.put(m.room(), seq);
        touched.add(m.room());
        ChatMessage entry = new ChatMessage(m.room(), seq, m.clientId(), m.sender(), m.senderName(),
                m.kind() == Kind.EDIT ? m.text() : "", m.ts(), null, m.kind(), m.target(), m.emoji(), added, null, null, List.of());
        return new AppendOutcome.Stored(entry, false, m.kind() == Kind.DELETE ? target.file() : null);
    }

    /** Puts a message's text in the search index under its row (a text-less file message has none there). */
    private static void index(Sql sql, long searchRowid, RoomId room, long seq, String text) throws SQLException {
        if (!text.isEmpty()) {
            sql.update("INSERT INTO message_search (rowid, body, room_id, seq) VALUES (?, ?, ?, ?)", searchRowid, text, room, seq);
        }
    }

    /**
     * The highest search row given to a message so far. Read once (a scan of the messages, on the first
     * append after the store opens, or after a rollback), then counted here.
     */
    private long lastSearchRowid(Sql sql) throws SQLException {
        if (lastSearchRowid < 0) lastSearchRowid = sql.one("SELECT coalesce(max(search_rowid), 0) FROM messages", r -> r.getLong(1));
        return lastSearchRowid;
    }

    /** The room's highest seq, or null when there is no such room. */
    private Long currentSeq(Sql sql, RoomId room) throws SQLException {
        Long cached = lastSeq.get(room);
        if (cached != null) return cached;
        Long stored = sql.one("SELECT last_seq FROM rooms WHERE id = ?", r -> r.getLong(1), room);
        if (stored != null) lastSeq.put(room, stored);
        return stored;
    }

    /** Keeps rooms.last_seq in step with the messages, in the same transaction. */
    @Override
    public void beforeCommit(Sql sql) throws SQLException {
        for (RoomId room : touched) sql.update("UPDATE rooms SET last_seq = ? WHERE id = ?", lastSeq.get(room), room);
        touched.clear();
    }

    @Override
    public void rolledBack() {
        lastSeq.clear();
        lastSearchRowid = -1;
        touched.clear();
    }

    StoredRoom createRoom(Sql sql, NewRoom room) throws SQLException {
        if (room.directKey() != null) {
            RoomId existing = sql.one("SELECT id FROM rooms WHERE direct_key = ?", r -> new RoomId(r.getString(1)), room.directKey());
            if (existing != null) return room(sql, existing);
        }
        int inserted = sql.update("""
                INSERT INTO rooms (id, name, name_key, kind, direct_key, topic, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name_key) WHERE kind = 'public' DO NOTHING""",
                room.id(), room.name(), room.name().toLowerCase(Locale.ROOT), room.kind().wire(), room.directKey(), room.topic(),
                room.createdBy(), room.ts());
        if (inserted == 0) throw new NameTakenException(room.name());
        for (Membership m : room.members()) putMember(sql, room.id(), m.user().id(), m.role(), room.createdBy(), room.ts());
        return new StoredRoom(room.id(), room.name(), room.topic(), 0, room.kind(), room.members(), List.of());
    }

    static Void setMember(Sql sql, RoomId room, UserId user, Role role, UserId by, long ts) throws SQLException {
        if (role == null) {
            sql.update("DELETE FROM room_members WHERE room_id = ? AND user_id = ?", room, user);
        } else {
            putMember(sql, room, user, role, by, ts);
        }
        return null;
    }

    private static void putMember(Sql sql, RoomId room, UserId user, Role role, UserId by, long ts) throws SQLException {
        // Checked here, in the one writer, as well as by the hub: a ban committed just before wins.
        int put = sql.update("""
                INSERT INTO room_members (room_id, user_id, role, added_by, added_at) SELECT ?, ?, ?, ?, ?
                WHERE NOT EXISTS (SELECT 1 FROM room_bans WHERE room_id = ? AND user_id = ?)
                ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role""",
                room, user, role.wire(), by, ts, room, user);
        if (put == 0) throw new BannedException(user);
    }

    static Void ban(Sql sql, RoomId room, UserId user, UserId by, long ts) throws SQLException {
        sql.update("DELETE FROM room_members WHERE room_id = ? AND user_id = ?", room, user);
        sql.update("INSERT INTO room_bans (room_id, user_id, banned_by, banned_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                room, user, by, ts);
        return null;
    }

    static Void unban(Sql sql, RoomId room, UserId user) throws SQLException {
        sql.update("DELETE FROM room_bans WHERE room_id = ? AND user_id = ?", room, user);
        return null;
    }

    List<String> deleteRoom(Sql sql, RoomId room) throws SQLException {
        List<String> files = sql.list("SELECT id FROM files WHERE room_id = ?", r -> r.getString(1), room);
        sql.update("DELETE FROM message_search WHERE rowid IN (SELECT search_rowid FROM messages WHERE room_id = ? AND search_rowid IS NOT NULL)", room);
        // Children first: the foreign keys are enforced.
        CallSql.deleteRoom(sql, room);
        for (String table : List.of("reactions", "messages", "files", "room_members", "room_bans", "room_readers")) {
            sql.update("DELETE FROM " + table + " WHERE room_id = ?", room);
        }
        sql.update("DELETE FROM rooms WHERE id = ?", room);
        lastSeq.remove(room);
        touched.remove(room); // messages appended to it earlier in this batch went with it
        return files;
    }

    static boolean fileStored(Sql sql, String fileId, long ts) throws SQLException {
        return sql.update("UPDATE files SET stored_at = ? WHERE id = ? AND stored_at IS NULL", ts, fileId) == 1;
    }

    // ---- reads ----------------------------------------------------------------------------------

    /** The {@code limit} messages just before {@code beforeSeq}, oldest first. */
    static List<ChatMessage> before(Sql sql, RoomId room, long beforeSeq, int limit) throws SQLException {
        return withReactions(sql, room, sql.list(SELECT_MESSAGE + " WHERE m.room_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?",
                ChatSql::message, room, beforeSeq, limit).reversed());
    }

    static List<ChatMessage> after(Sql sql, RoomId room, long afterSeq, int limit) throws SQLException {
        return withReactions(sql, room, sql.list(SELECT_MESSAGE + " WHERE m.room_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
                ChatSql::message, room, afterSeq, limit));
    }

    /**
     * The search, newest first: the index finds the texts that hold each word of three characters or more
     * (a phrase of its trigrams, so the word as a part of a word, ignoring case); shorter words narrow them
     * down with LIKE (which ignores case in ASCII only). Only the search's rooms are read (a JSON array, as
     * one parameter however many rooms there are).
     */
    static List<ChatMessage> search(Sql sql, Search search) throws SQLException {
        if (search.rooms().isEmpty()) return List.of();
        List<Object> args = new ArrayList<>();
        args.add(search.words().stream().filter(Search::indexable).map(w -> '"' + w.replace("\"", "\"\"") + '"')
                .collect(Collectors.joining(" AND ")));
        args.add(search.rooms().stream().map(r -> '"' + r.value().replace("\\", "\\\\").replace("\"", "\\\"") + '"')
                .collect(Collectors.joining(",", "[", "]")));
        StringBuilder where = new StringBuilder(" JOIN message_search s ON s.room_id = m.room_id AND s.seq = m.seq"
                + " WHERE message_search MATCH ? AND s.room_id IN (SELECT value FROM json_each(?)) AND m.deleted_at IS NULL");
        for (String w : search.words()) {
            if (Search.indexable(w)) continue;
            where.append(" AND m.body LIKE ? ESCAPE '\\'");
            args.add("%" + likeEscaped(w) + "%");
        }
        if (search.before() != null) {
            where.append(" AND s.rowid < (SELECT search_rowid FROM messages WHERE room_id = ? AND seq = ?)");
            args.add(search.before().room());
            args.add(search.before().seq());
        }
        args.add(search.limit());
        return sql.list(SELECT_MESSAGE + where + " ORDER BY s.rowid DESC LIMIT ?", ChatSql::message, args.toArray());
    }

    private static ChatMessage message(ResultSet r) throws SQLException {
        SharedFile file = r.getString(8) == null ? null
                : new SharedFile(r.getString(8), r.getString(9), r.getLong(10), r.getString(11), r.getString(12),
                        r.getObject(13) != null, preview(r, 28));
        Object added = r.getObject(17);
        Object edited = r.getObject(18);
        ChatMessage.Deletion deleted = r.getObject(19) == null ? null
                : new ChatMessage.Deletion(new UserRef(new UserId(r.getString(20)), r.getString(21)), r.getLong(19));
        return new ChatMessage(new RoomId(r.getString(1)), r.getLong(2), r.getString(5), new UserId(r.getString(3)),
                r.getString(4), r.getString(6), r.getLong(7), file, Kind.of(r.getString(14)), r.getLong(15), r.getString(16),
                added == null ? null : r.getInt(17) == 1, edited == null ? null : r.getLong(18), deleted, List.of(),
                r.getObject(22) == null || r.getString(23) == null ? null : reply(r, 22),
                mentionsOf(r.getString(31), r.getInt(32) == 1));
    }

    /** The quote of the message whose seq, sender id, sender name, body, file name and deletedness start at column {@code at}. */
    private static ChatMessage.Reply reply(ResultSet r, int at) throws SQLException {
        return new ChatMessage.Reply(r.getLong(at), new UserRef(new UserId(r.getString(at + 1)), r.getString(at + 2)),
                r.getString(at + 3), r.getString(at + 4), r.getBoolean(at + 5));
    }

    /** The page's messages with their reactions: one more query, only for a page that has reactions in its range. */
    private static List<ChatMessage> withReactions(Sql sql, RoomId room, List<ChatMessage> page) throws SQLException {
        if (page.isEmpty()) return page;
        record Row(long seq, String emoji, UserRef by) {}
        List<Row> rows = sql.list("SELECT seq, emoji, user_id, user_name FROM reactions WHERE room_id = ? AND seq BETWEEN ? AND ? ORDER BY id",
                r -> new Row(r.getLong(1), r.getString(2), new UserRef(new UserId(r.getString(3)), r.getString(4))),
                room, page.getFirst().seq(), page.getLast().seq());
        if (rows.isEmpty()) return page;
        Map<Long, Map<String, List<UserRef>>> bySeq = new HashMap<>();
        for (Row row : rows) {
            bySeq.computeIfAbsent(row.seq(), k -> new java.util.LinkedHashMap<>()).computeIfAbsent(row.emoji(), k -> new ArrayList<>()).add(row.by());
        }
        List<ChatMessage> out = new ArrayList<>(page.size());
        for (ChatMessage m : page) {
            Map<String, List<UserRef>> reactions = bySeq.get(m.seq());
            out.add(reactions == null ? m : new ChatMessage(m.room(), m.seq(), m.clientId(), m.senderId(), m.senderName(),
                    m.text(), m.ts(), m.file(), m.kind(), m.target(), m.emoji(), m.added(), m.edited(), m.deleted(),
                    reactions.entrySet().stream().map(e -> new ChatMessage.Reaction(e.getKey(), e.getValue())).toList(), m.reply(),
                    m.mentions()));
        }
        return out;
    }

    static List<StoredRoom> rooms(Sql sql) throws SQLException {
        List<RoomId> ids = sql.list("SELECT id FROM rooms ORDER BY name_key, id", r -> new RoomId(r.getString(1)));
        List<StoredRoom> out = new ArrayList<>(ids.size());
        for (RoomId id : ids) out.add(room(sql, id));
        return out;
    }

    /** The room with its members and bans; a person without an account (a guest of old) shows by id. */
    private static StoredRoom room(Sql sql, RoomId id) throws SQLException {
        List<Membership> members = sql.list("""
                SELECT m.user_id, coalesce(a.name, m.user_id), m.role FROM room_members m
                LEFT JOIN accounts a ON a.id = m.user_id WHERE m.room_id = ? ORDER BY m.added_at, m.user_id""",
                r -> new Membership(new UserRef(new UserId(r.getString(1)), r.getString(2)), Role.of(r.getString(3))), id);
        List<UserRef> banned = sql.list("""
                SELECT b.user_id, coalesce(a.name, b.user_id) FROM room_bans b
                LEFT JOIN accounts a ON a.id = b.user_id WHERE b.room_id = ? ORDER BY b.banned_at, b.user_id""",
                r -> new UserRef(new UserId(r.getString(1)), r.getString(2)), id);
        StoredRoom room = sql.one("SELECT name, topic, last_seq, kind FROM rooms WHERE id = ?",
                r -> new StoredRoom(id, r.getString(1), r.getString(2), r.getLong(3), RoomKind.of(r.getString(4)), members, banned), id);
        if (room == null) throw new SQLException("no room " + id);
        return room;
    }

    static Person person(Sql sql, UserId user) throws SQLException {
        return sql.one(SELECT_PERSON + " AND id = ?", ChatSql::asPerson, user);
    }

    static List<Person> findPeople(Sql sql, String query, int limit) throws SQLException {
        String q = likeEscaped(query.toLowerCase(Locale.ROOT));
        return sql.list(SELECT_PERSON + """
                 AND (username_key LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\')
                ORDER BY lower(name), username_key LIMIT ?""", ChatSql::asPerson, q + "%", q + "%", "% " + q + "%", limit);
    }

    /** Text to match literally in a LIKE pattern with ESCAPE '\\'. */
    private static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static Person asPerson(ResultSet r) throws SQLException {
        return new Person(new UserId(r.getString(1)), r.getString(2), r.getString(3), r.getBoolean(4));
    }

    static RoomFile file(Sql sql, String fileId) throws SQLException {
        return sql.one("""
                SELECT room_id, uploader_id, name, size, type, sha256, stored_at, preview, preview_width, preview_height
                FROM files WHERE id = ?""",
                r -> new RoomFile(new RoomId(r.getString(1)), new UserId(r.getString(2)), new SharedFile(fileId, r.getString(3),
                        r.getLong(4), r.getString(5), r.getString(6), r.getObject(7) != null, preview(r, 8))), fileId);
    }

    /** The preview in columns {@code at} (the image), {@code at + 1} and {@code at + 2} (width, height), if any. */
    private static SharedFile.Preview preview(ResultSet r, int at) throws SQLException {
        String image = r.getString(at);
        return image == null ? null : new SharedFile.Preview(image, r.getInt(at + 1), r.getInt(at + 2));
    }

    // ---- read state -----------------------------------------------------------------------------

    /**
     * The unread messages after a seq: the latest {@code countMax} messages from others, not deleted, and how
     * many of them mention the reader (by id, or with @room). Walks the room's primary key backwards from its
     * end, so a count costs at most {@code countMax} rows however far behind the reader is.
     */
    private static final String UNREAD = """
            SELECT count(*), coalesce(sum(mentioned), 0) FROM (
                SELECT (mentions_room = 1 OR instr(mentions, ' ' || ? || ':') > 0) AS mentioned FROM messages
                WHERE room_id = ? AND seq > ? AND kind = 'message' AND deleted_at IS NULL AND sender_id <> ?
                ORDER BY seq DESC LIMIT ?)""";

    static List<ReadState> readStates(Sql sql, UserId user, Map<RoomId, Long> atLeast, int countMax) throws SQLException {
        List<ReadState> out = new ArrayList<>(atLeast.size());
        for (Map.Entry<RoomId, Long> e : atLeast.entrySet()) {
            RoomId room = e.getKey();
            Long lastSeq = sql.one("SELECT last_seq FROM rooms WHERE id = ?", r -> r.getLong(1), room);
            if (lastSeq == null) continue;
            record Stored(long read, String level) {}
            Stored stored = sql.one("SELECT read_seq, notify FROM room_readers WHERE user_id = ? AND room_id = ?",
                    r -> new Stored(r.getLong(1), r.getString(2)), user, room);
            long read = stored == null ? 0 : stored.read();
            long after = Math.max(read, e.getValue() == null ? 0 : e.getValue());
            int[] counts = after >= lastSeq ? new int[2] : sql.one(UNREAD, r -> new int[] {r.getInt(1), r.getInt(2)},
                    user, room, after, user, countMax);
            out.add(new ReadState(room, read, lastSeq, counts[0], counts[1], stored == null ? null : ReadState.Notify.of(stored.level())));
        }
        return out;
    }

    static Void saveReadMarkers(Sql sql, List<ReadState.Marker> markers) throws SQLException {
        for (ReadState.Marker m : markers) {
            // A marker of a room deleted meanwhile is dropped, rather than failing the others with the foreign key.
            sql.update("""
                    INSERT INTO room_readers (user_id, room_id, read_seq) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM rooms WHERE id = ?)
                    ON CONFLICT (user_id, room_id) DO UPDATE SET read_seq = max(read_seq, excluded.read_seq)""",
                    m.user(), m.room(), m.seq(), m.room());
        }
        return null;
    }

    static Void setNotify(Sql sql, UserId user, RoomId room, ReadState.Notify level) throws SQLException {
        sql.update("""
                INSERT INTO room_readers (user_id, room_id, notify) VALUES (?, ?, ?)
                ON CONFLICT (user_id, room_id) DO UPDATE SET notify = excluded.notify""",
                user, room, level == null ? null : level.wire());
        return null;
    }

    /** Whether the rooms can be read. */
    static boolean readable(Sql sql) throws SQLException {
        return sql.exists("SELECT count(*) FROM rooms");
    }
}
