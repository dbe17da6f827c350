package parley.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import parley.account.AccountStore;
import parley.room.ChatMessage;
import parley.room.ChatStore;
import parley.room.Role;
import parley.room.RoomFile;
import parley.room.RoomId;
import parley.room.RoomKind;
import parley.room.Membership;
import parley.room.SharedFile;
import parley.room.UserId;
import parley.room.UserRef;

/**
 * The default store: one SQLite file in WAL mode.
 *
 * <p>All writes go through one writer thread that owns one connection. It takes whatever is queued (up
 * to {@code batchMax} writes), runs them in one transaction and commits once, so a burst of messages
 * costs one fsync ({@code synchronous=FULL}: a commit is on disk before it returns). Only then are the
 * outcomes reported, in commit order, on a separate completion thread, so the writer is already
 * committing the next batch while the previous one is delivered. Reads use a small pool of read-only
 * connections, which WAL lets run beside the writer.
 */
public final class SqliteStore implements ChatStore, AccountStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    private final Connection writerConnection;
    private final PreparedStatement insertMessage; // writer thread only, prepared once
    private final PreparedStatement insertFile;
    private final PreparedStatement begin;
    private final PreparedStatement end;
    private final HikariDataSource readers;
    private final ExecutorService readerThreads;
    private final ExecutorService completions;
    private final BlockingQueue<Write> queue;
    private final Thread writer;
    private final int batchMax;
    private final Map<String, Long> lastSeq = new HashMap<>(); // writer thread only
    private final java.util.Set<String> touched = new java.util.HashSet<>(); // rooms written in this batch
    private volatile boolean running = true;

    public SqliteStore(Path file, int batchMax, int queueMax, int readerPool) {
        this.batchMax = batchMax;
        this.queue = new ArrayBlockingQueue<>(queueMax);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            String url = "jdbc:sqlite:" + file.toAbsolutePath();
            SQLiteDataSource writerSource = dataSource(url, false);
            Flyway.configure().dataSource(writerSource).locations("classpath:db/migration").load().migrate();
            writerConnection = writerSource.getConnection(); // auto-commit: commit() runs each batch's transaction
            begin = writerConnection.prepareStatement("BEGIN IMMEDIATE");
            end = writerConnection.prepareStatement("COMMIT");
            insertMessage = writerConnection.prepareStatement("""
                    INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at, file_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (room_id, sender_id, client_id) DO NOTHING""");
            insertFile = writerConnection.prepareStatement("""
                    INSERT INTO files (id, room_id, uploader_id, name, size, type, sha256, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");

            HikariConfig pool = new HikariConfig();
            pool.setDataSource(dataSource(url, true));
            pool.setMaximumPoolSize(readerPool);
            pool.setPoolName("parley-readers");
            pool.setReadOnly(true);
            readers = new HikariDataSource(pool);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the SQLite store at " + file + ": " + e.getMessage(), e);
        }
        readerThreads = Executors.newFixedThreadPool(readerPool, named("parley-store-read"));
        completions = Executors.newSingleThreadExecutor(named("parley-store-done"));
        writer = named("parley-store-write").newThread(this::writeLoop);
        writer.start();
    }

    private static SQLiteDataSource dataSource(String url, boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        config.enforceForeignKeys(true);
        config.setReadOnly(readOnly);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl(url);
        return source;
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return Thread.ofPlatform().name(name + "-", 0).daemon(true).factory();
    }

    // ---- writes ---------------------------------------------------------------------------------

    /** One unit of work for the writer thread; {@link #done} runs on the completion thread after commit. */
    private interface Write {
        void apply(Connection c) throws SQLException;

        void done();

        void failed(Exception e);
    }

    /** Under the queue's monitor, so that no write slips in after {@link #close} stopped taking them. */
    private void enqueue(Write w) {
        boolean accepted;
        boolean open;
        synchronized (queue) {
            open = running;
            accepted = open && queue.offer(w);
        }
        if (!open) w.failed(new IllegalStateException("store is closed"));
        else if (!accepted) w.failed(new OverloadedException(queue.size()));
    }

    @Override
    public void append(NewMessage m, Consumer<AppendOutcome> onDurable) {
        enqueue(new Write() {
            AppendOutcome outcome;

            @Override
            public void apply(Connection c) throws SQLException {
                String roomId = m.room().value();
                Long current = currentSeq(c, roomId);
                if (current == null) {
                    outcome = new AppendOutcome.Failed(new SQLException("no such room: " + roomId));
                    return;
                }
                long next = current + 1;
                SharedFile file = m.file();
                if (file != null && isNewMessage(c, m)) {
                    insertFile.setString(1, file.id());
                    insertFile.setString(2, roomId);
                    insertFile.setString(3, m.sender().value());
                    insertFile.setString(4, file.name());
                    insertFile.setLong(5, file.size());
                    insertFile.setString(6, file.type());
                    insertFile.setString(7, file.sha256());
                    insertFile.setLong(8, m.ts());
                    insertFile.executeUpdate();
                }
                PreparedStatement insert = insertMessage;
                insert.setString(1, roomId);
                insert.setLong(2, next);
                insert.setString(3, m.sender().value());
                insert.setString(4, m.senderName());
                insert.setString(5, m.clientId());
                insert.setString(6, m.text());
                insert.setLong(7, m.ts());
                insert.setString(8, file == null ? null : file.id());
                if (insert.executeUpdate() == 1) {
                    lastSeq.put(roomId, next);
                    touched.add(roomId);
                    outcome = new AppendOutcome.Stored(new ChatMessage(m.room(), next, m.clientId(), m.sender(),
                            m.senderName(), m.text(), m.ts(), file), false);
                    return;
                }
                try (PreparedStatement find = c.prepareStatement(SELECT_MESSAGE
                        + " WHERE m.room_id = ? AND m.sender_id = ? AND m.client_id = ?")) {
                    find.setString(1, m.room().value());
                    find.setString(2, m.sender().value());
                    find.setString(3, m.clientId());
                    outcome = new AppendOutcome.Stored(readMessages(find).getFirst(), true);
                }
            }

            /** A resend of a stored file message must not store its file twice. */
            private boolean isNewMessage(Connection c, NewMessage m) throws SQLException {
                try (PreparedStatement find = c.prepareStatement(
                        "SELECT 1 FROM messages WHERE room_id = ? AND sender_id = ? AND client_id = ?")) {
                    find.setString(1, m.room().value());
                    find.setString(2, m.sender().value());
                    find.setString(3, m.clientId());
                    try (ResultSet r = find.executeQuery()) {
                        return !r.next();
                    }
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
        });
    }

    /** The room's highest seq, or null when there is no such room. */
    private Long currentSeq(Connection c, String roomId) throws SQLException {
        Long cached = lastSeq.get(roomId);
        if (cached != null) return cached;
        try (PreparedStatement s = c.prepareStatement("SELECT last_seq FROM rooms WHERE id = ?")) {
            s.setString(1, roomId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return null;
                long seq = r.getLong(1);
                lastSeq.put(roomId, seq);
                return seq;
            }
        }
    }

    /** A write whose result is a value, run inside its own savepoint so its failure spares the batch. */
    private <T> CompletableFuture<T> write(SqlFunction<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        enqueue(new Write() {
            T value;

            @Override
            public void apply(Connection c) throws SQLException {
                try (var s = c.createStatement()) {
                    s.execute("SAVEPOINT one");
                }
                try {
                    value = work.apply(c);
                    try (var s = c.createStatement()) {
                        s.execute("RELEASE one");
                    }
                } catch (SQLException | RuntimeException e) {
                    try (var s = c.createStatement()) {
                        s.execute("ROLLBACK TO one");
                        s.execute("RELEASE one");
                    }
                    throw new SavepointFailure(e);
                }
            }

            @Override
            public void done() {
                result.complete(value);
            }

            @Override
            public void failed(Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The failure of one savepoint-guarded write; the rest of its batch still commits. */
    private static final class SavepointFailure extends RuntimeException {
        SavepointFailure(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    @FunctionalInterface
    private interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    private void writeLoop() {
        List<Write> batch = new ArrayList<>(batchMax);
        while (running || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, batchMax - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) {
                // commit() reports its own failures; this is a bug or an Error: keep the writer alive.
                log.error("store writer failed on a batch of {}", batch.size(), e);
                List<Write> all = List.copyOf(batch);
                Exception cause = e instanceof Exception ex ? ex : new IllegalStateException(e);
                completions.execute(() -> all.forEach(w -> report(() -> w.failed(cause))));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Write> batch) {
        List<Write> succeeded = new ArrayList<>(batch.size());
        List<Map.Entry<Write, Exception>> refused = new ArrayList<>();
        try {
            // IMMEDIATE takes the write lock up front, so a lock held by another program (the sqlite3
            // shell, say) is waited out with the busy timeout instead of failing the batch midway.
            begin.execute();
            for (Write w : batch) {
                try {
                    w.apply(writerConnection);
                    succeeded.add(w);
                } catch (SavepointFailure e) {
                    refused.add(Map.entry(w, (Exception) e.getCause()));
                }
            }
            updateRoomSeqs();
            end.execute();
        } catch (SQLException | RuntimeException e) {
            log.error("store commit of {} writes failed; none of them is stored", batch.size(), e);
            try (var st = writerConnection.createStatement()) {
                st.execute("ROLLBACK"); // fails harmlessly when BEGIN itself failed
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            lastSeq.clear();
            touched.clear();
            List<Write> all = List.copyOf(batch);
            completions.execute(() -> all.forEach(w -> report(() -> w.failed(e))));
            return;
        }
        completions.execute(() -> {
            // Refusals first is fine: they carry no sequence number.
            refused.forEach(r -> report(() -> r.getKey().failed(r.getValue())));
            succeeded.forEach(w -> report(w::done));
        });
    }

    /** One callback that throws must not keep the rest of its batch from being reported. */
    private static void report(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.error("a store callback failed", e);
        }
    }

    /** Keeps rooms.last_seq in step with the messages, in the same transaction. */
    private void updateRoomSeqs() throws SQLException {
        if (touched.isEmpty()) return;
        try (PreparedStatement update = writerConnection.prepareStatement("UPDATE rooms SET last_seq = ? WHERE id = ?")) {
            for (String room : touched) {
                update.setLong(1, lastSeq.get(room));
                update.setString(2, room);
                update.addBatch();
            }
            update.executeBatch();
        }
        touched.clear();
    }

    @Override
    public CompletableFuture<StoredRoom> createRoom(NewRoom room) {
        return write(c -> {
            if (room.directKey() != null) {
                try (PreparedStatement s = c.prepareStatement("SELECT id FROM rooms WHERE direct_key = ?")) {
                    s.setString(1, room.directKey());
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) return readRoom(c, new RoomId(r.getString(1)));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO rooms (id, name, name_key, kind, direct_key, topic, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name_key) WHERE kind = 'public' DO NOTHING""")) {
                s.setString(1, room.id().value());
                s.setString(2, room.name());
                s.setString(3, room.name().toLowerCase(Locale.ROOT));
                s.setString(4, room.kind().wire());
                s.setString(5, room.directKey());
                s.setString(6, room.topic());
                s.setString(7, room.createdBy() == null ? null : room.createdBy().value());
                s.setLong(8, room.ts());
                if (s.executeUpdate() == 0) throw new NameTakenException(room.name());
            }
            for (Membership m : room.members()) putMember(c, room.id(), m.user().id(), m.role(), room.createdBy(), room.ts());
            return new StoredRoom(room.id(), room.name(), room.topic(), 0, room.kind(), room.members(), List.of());
        });
    }

    private static void putMember(Connection c, RoomId room, UserId user, Role role, UserId by, long ts) throws SQLException {
        // Checked here, in the one writer, as well as by the hub: a ban committed just before wins.
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO room_members (room_id, user_id, role, added_by, added_at) SELECT ?, ?, ?, ?, ?
                WHERE NOT EXISTS (SELECT 1 FROM room_bans WHERE room_id = ? AND user_id = ?)
                ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role""")) {
            s.setString(1, room.value());
            s.setString(2, user.value());
            s.setString(3, role.wire());
            s.setString(4, by == null ? null : by.value());
            s.setLong(5, ts);
            s.setString(6, room.value());
            s.setString(7, user.value());
            if (s.executeUpdate() == 0) throw new BannedException(user);
        }
    }

    private static void deleteFrom(Connection c, String table, RoomId room, UserId user) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE room_id = ? AND user_id = ?")) {
            s.setString(1, room.value());
            s.setString(2, user.value());
            s.executeUpdate();
        }
    }

    @Override
    public CompletableFuture<Void> setMember(RoomId roomId, UserId userId, Role role, UserId by, long ts) {
        return write(c -> {
            if (role == null) {
                deleteFrom(c, "room_members", roomId, userId);
            } else {
                putMember(c, roomId, userId, role, by, ts);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> ban(RoomId roomId, UserId userId, UserId by, long ts) {
        return write(c -> {
            deleteFrom(c, "room_members", roomId, userId);
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO room_bans (room_id, user_id, banned_by, banned_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                s.setString(1, roomId.value());
                s.setString(2, userId.value());
                s.setString(3, by == null ? null : by.value());
                s.setLong(4, ts);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> unban(RoomId roomId, UserId userId) {
        return write(c -> {
            deleteFrom(c, "room_bans", roomId, userId);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<String>> deleteRoom(RoomId room) {
        String roomId = room.value();
        return write(c -> {
            List<String> files = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM files WHERE room_id = ?")) {
                s.setString(1, roomId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) files.add(r.getString(1));
                }
            }
            // Children first: the foreign keys are enforced.
            for (String table : List.of("messages", "files", "room_members", "room_bans")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE room_id = ?")) {
                    s.setString(1, roomId);
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM rooms WHERE id = ?")) {
                s.setString(1, roomId);
                s.executeUpdate();
            }
            lastSeq.remove(roomId);
            touched.remove(roomId); // messages appended to it earlier in this batch went with it
            return files;
        });
    }

    // ---- reads ----------------------------------------------------------------------------------

    private static final String SELECT_MESSAGE = """
            SELECT m.room_id, m.seq, m.sender_id, m.sender_name, m.client_id, m.body, m.created_at,
                   f.id, f.name, f.size, f.type, f.sha256, f.stored_at
            FROM messages m LEFT JOIN files f ON f.id = m.file_id""";

    private <T> CompletableFuture<T> read(SqlFunction<T> query) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = readers.getConnection()) {
                return query.apply(c);
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, readerThreads);
    }

    private static List<ChatMessage> readMessages(PreparedStatement s) throws SQLException {
        List<ChatMessage> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                SharedFile file = r.getString(8) == null ? null
                        : new SharedFile(r.getString(8), r.getString(9), r.getLong(10), r.getString(11), r.getString(12),
                                r.getObject(13) != null);
                out.add(new ChatMessage(new RoomId(r.getString(1)), r.getLong(2), r.getString(5), new UserId(r.getString(3)),
                        r.getString(4), r.getString(6), r.getLong(7), file));
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<List<ChatMessage>> latest(RoomId roomId, int limit) {
        return before(roomId, Long.MAX_VALUE, limit);
    }

    @Override
    public CompletableFuture<List<ChatMessage>> before(RoomId roomId, long beforeSeq, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    SELECT_MESSAGE + " WHERE m.room_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?")) {
                s.setString(1, roomId.value());
                s.setLong(2, beforeSeq);
                s.setInt(3, limit);
                return readMessages(s).reversed();
            }
        });
    }

    @Override
    public CompletableFuture<List<ChatMessage>> after(RoomId roomId, long afterSeq, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    SELECT_MESSAGE + " WHERE m.room_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?")) {
                s.setString(1, roomId.value());
                s.setLong(2, afterSeq);
                s.setInt(3, limit);
                return readMessages(s);
            }
        });
    }

    @Override
    public CompletableFuture<List<StoredRoom>> rooms() {
        return read(c -> {
            List<RoomId> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM rooms ORDER BY name_key");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) ids.add(new RoomId(r.getString(1)));
            }
            List<StoredRoom> out = new ArrayList<>();
            for (RoomId id : ids) out.add(readRoom(c, id));
            return out;
        });
    }

    /** The room with its members and bans; a person without an account (a guest of old) shows by id. */
    private static StoredRoom readRoom(Connection c, RoomId id) throws SQLException {
        List<Membership> members = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT m.user_id, coalesce(a.name, m.user_id), m.role FROM room_members m
                LEFT JOIN accounts a ON a.id = m.user_id WHERE m.room_id = ? ORDER BY m.added_at, m.user_id""")) {
            s.setString(1, id.value());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) members.add(new Membership(new UserRef(new UserId(r.getString(1)), r.getString(2)), Role.of(r.getString(3))));
            }
        }
        List<UserRef> banned = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT b.user_id, coalesce(a.name, b.user_id) FROM room_bans b
                LEFT JOIN accounts a ON a.id = b.user_id WHERE b.room_id = ? ORDER BY b.banned_at, b.user_id""")) {
            s.setString(1, id.value());
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) banned.add(new UserRef(new UserId(r.getString(1)), r.getString(2)));
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT name, topic, last_seq, kind FROM rooms WHERE id = ?")) {
            s.setString(1, id.value());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) throw new SQLException("no room " + id);
                return new StoredRoom(id, r.getString(1), r.getString(2), r.getLong(3), RoomKind.of(r.getString(4)), members, banned);
            }
        }
    }

    @Override
    public CompletableFuture<Person> person(UserId userId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, username, name, role = 'admin' FROM accounts WHERE id = ? AND disabled_at IS NULL")) {
                s.setString(1, userId.value());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? new Person(new UserId(r.getString(1)), r.getString(2), r.getString(3), r.getBoolean(4)) : null;
                }
            }
        });
    }

    @Override
    public CompletableFuture<List<Person>> findPeople(String query, int limit) {
        String q = query.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return read(c -> {
            List<Person> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT id, username, name, role = 'admin' FROM accounts WHERE disabled_at IS NULL
                    AND (username_key LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\')
                    ORDER BY lower(name), username_key LIMIT ?""")) {
                s.setString(1, q + "%");
                s.setString(2, q + "%");
                s.setString(3, "% " + q + "%");
                s.setInt(4, limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new Person(new UserId(r.getString(1)), r.getString(2), r.getString(3), r.getBoolean(4)));
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<RoomFile> file(String fileId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT room_id, uploader_id, name, size, type, sha256, stored_at FROM files WHERE id = ?")) {
                s.setString(1, fileId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return null;
                    return new RoomFile(new RoomId(r.getString(1)), new UserId(r.getString(2)), new SharedFile(fileId, r.getString(3),
                            r.getLong(4), r.getString(5), r.getString(6), r.getObject(7) != null));
                }
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> fileStored(String fileId, long ts) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE files SET stored_at = ? WHERE id = ? AND stored_at IS NULL")) {
                s.setLong(1, ts);
                s.setString(2, fileId);
                return s.executeUpdate() == 1;
            }
        });
    }

    // ---- accounts -------------------------------------------------------------------------------

    private static final String SELECT_ACCOUNT =
            "SELECT a.id, a.username, a.name, a.password_hash, a.role, a.disabled_at, a.created_at FROM accounts a";

    private static Account readAccount(ResultSet r) throws SQLException {
        return new Account(new UserId(r.getString(1)), r.getString(2), r.getString(3), r.getString(4), "admin".equals(r.getString(5)),
                r.getObject(6) != null, r.getLong(7));
    }

    private static String usernameKey(String username) {
        return username.toLowerCase(Locale.ROOT);
    }

    @Override
    public CompletableFuture<Creation> createAccount(NewAccount a, String invitationHash, boolean invitationRequired) {
        return write(c -> {
            boolean first;
            try (PreparedStatement s = c.prepareStatement("SELECT NOT EXISTS (SELECT 1 FROM accounts)"); ResultSet r = s.executeQuery()) {
                first = r.next() && r.getBoolean(1);
            }
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM accounts WHERE username_key = ?")) {
                s.setString(1, usernameKey(a.username()));
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) return new Creation.UsernameTaken();
                }
            }
            boolean invited = false;
            if (invitationHash != null) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT 1 FROM invitations WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?")) {
                    s.setString(1, invitationHash);
                    s.setLong(2, a.created());
                    try (ResultSet r = s.executeQuery()) {
                        invited = r.next();
                    }
                }
                if (!invited) return new Creation.InvitationRefused(true);
            } else if (invitationRequired && !first) {
                return new Creation.InvitationRefused(false);
            }
            boolean admin = first || a.admin();
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO accounts (id, username, username_key, name, password_hash, role, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
                s.setString(1, a.id().value());
                s.setString(2, a.username());
                s.setString(3, usernameKey(a.username()));
                s.setString(4, a.name());
                s.setString(5, a.passwordHash());
                s.setString(6, admin ? "admin" : "member");
                s.setLong(7, a.created());
                s.executeUpdate();
            }
            if (invited) {
                try (PreparedStatement s = c.prepareStatement("UPDATE invitations SET used_by = ? WHERE code_hash = ?")) {
                    s.setString(1, a.id().value());
                    s.setString(2, invitationHash);
                    s.executeUpdate();
                }
            }
            return new Creation.Created(new Account(a.id(), a.username(), a.name(), a.passwordHash(), admin, false, a.created()));
        });
    }

    @Override
    public CompletableFuture<Account> accountByUsername(String username) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(SELECT_ACCOUNT + " WHERE a.username_key = ?")) {
                s.setString(1, usernameKey(username));
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? readAccount(r) : null;
                }
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> hasAccounts() {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM accounts)"); ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        });
    }

    @Override
    public CompletableFuture<Void> createSession(NewSession session) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO sessions (token_hash, user_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, session.tokenHash());
                s.setString(2, session.user().value());
                s.setLong(3, session.created());
                s.setLong(4, session.created());
                s.setLong(5, session.expires());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<SessionAccount> session(String tokenHash, long now) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT a.id, a.username, a.name, a.password_hash, a.role,"
                    + " a.disabled_at, a.created_at, s.last_used_at, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.user_id"
                    + " WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled_at IS NULL")) {
                s.setString(1, tokenHash);
                s.setLong(2, now);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? new SessionAccount(readAccount(r), r.getLong(8), r.getLong(9)) : null;
                }
            }
        });
    }

    @Override
    public CompletableFuture<Void> touchSession(String tokenHash, long now) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?")) {
                s.setLong(1, now);
                s.setString(2, tokenHash);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> deleteSession(String tokenHash) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM sessions WHERE token_hash = ?")) {
                s.setString(1, tokenHash);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletableFuture<Void> changePassword(UserId user, String passwordHash, String keepTokenHash) {
        String userId = user.value();
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE accounts SET password_hash = ? WHERE id = ?")) {
                s.setString(1, passwordHash);
                s.setString(2, userId);
                if (s.executeUpdate() != 1) throw new SQLException("no such account: " + userId);
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?")) {
                s.setString(1, userId);
                s.setString(2, keepTokenHash);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Account> setDisabled(String username, boolean disabled, long now) {
        return write(c -> {
            Account account;
            try (PreparedStatement s = c.prepareStatement(SELECT_ACCOUNT + " WHERE a.username_key = ?")) {
                s.setString(1, usernameKey(username));
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return null;
                    account = readAccount(r);
                }
            }
            if (account.disabled() == disabled) return account;
            try (PreparedStatement s = c.prepareStatement("UPDATE accounts SET disabled_at = ? WHERE id = ?")) {
                if (disabled) s.setLong(1, now);
                else s.setNull(1, java.sql.Types.INTEGER);
                s.setString(2, account.id().value());
                s.executeUpdate();
            }
            if (disabled) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM sessions WHERE user_id = ?")) {
                    s.setString(1, account.id().value());
                    s.executeUpdate();
                }
            }
            return new Account(account.id(), account.username(), account.name(), account.passwordHash(), account.admin(),
                    disabled, account.created());
        });
    }

    @Override
    public CompletableFuture<List<UserId>> disabledSince(long since) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM accounts WHERE disabled_at >= ?")) {
                s.setLong(1, since);
                List<UserId> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(new UserId(r.getString(1)));
                }
                return out;
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> invitationValid(String codeHash, long now) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT 1 FROM invitations WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?")) {
                s.setString(1, codeHash);
                s.setLong(2, now);
                try (ResultSet r = s.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    @Override
    public CompletableFuture<Void> createInvitation(String codeHash, UserId createdBy, long created, long expires) {
        return write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO invitations (code_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)")) {
                s.setString(1, codeHash);
                s.setString(2, createdBy.value());
                s.setLong(3, created);
                s.setLong(4, expires);
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Integer> deleteExpired(long now) {
        return write(c -> {
            int deleted;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM sessions WHERE expires_at <= ?")) {
                s.setLong(1, now);
                deleted = s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM invitations WHERE expires_at <= ? AND used_by IS NULL")) {
                s.setLong(1, now);
                deleted += s.executeUpdate();
            }
            return deleted;
        });
    }

    @Override
    public CompletableFuture<Boolean> healthy() {
        if (!writer.isAlive()) return CompletableFuture.completedFuture(false);
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM rooms"); ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }).exceptionally(e -> false);
    }

    /** Stops taking writes, commits what is queued, reports it, and closes the file. */
    @Override
    public void close() {
        synchronized (queue) {
            running = false;
        }
        try {
            writer.join(10_000);
            // Only if the writer did not finish in time are writes left: fail them rather than drop them.
            List<Write> stranded = new ArrayList<>();
            queue.drainTo(stranded);
            IllegalStateException closed = new IllegalStateException("store is closed");
            stranded.forEach(w -> completions.execute(() -> w.failed(closed)));
            completions.shutdown();
            completions.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readerThreads.shutdown();
        readers.close();
        try {
            insertMessage.close();
            begin.close();
            end.close();
            writerConnection.close();
        } catch (SQLException e) {
            log.warn("closing the SQLite writer connection failed", e);
        }
    }
}
