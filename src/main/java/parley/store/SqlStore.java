package parley.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import parley.account.AccountStore;
import parley.room.ChatMessage;
import parley.room.CallLog;
import parley.room.ChatStore;
import parley.room.ClientInfo;
import parley.room.ReadState;
import parley.room.SessionId;
import parley.room.Role;
import parley.room.RoomFile;
import parley.room.RoomId;
import parley.room.Search;
import parley.room.UserId;

/**
 * Both store ports over SQL: every write goes through one {@link GroupCommit} (its future completes, or an
 * append's outcome is reported, once it is committed), every read runs on its reader threads. The SQL is
 * {@link ChatSql}'s and {@link AccountSql}'s; a subclass opens a database for it: its connections, its schema.
 */
public abstract class SqlStore implements ChatStore, AccountStore, CallLog, io.micrometer.core.instrument.binder.MeterBinder {
    private final ChatSql chat = new ChatSql();
    private final GroupCommit commit;

    /**
     * The connections a subclass opens: {@code writer} in auto-commit mode, {@code begin} the statement
     * that begins each batch's transaction, {@code readers} a pool of {@code readerPool} connections.
     */
    protected record Database(Connection writer, String begin, HikariDataSource readers, int readerPool) {}

    /** Takes over the database's connections: {@link #close} closes them. */
    protected SqlStore(Database db, int batchMax, int queueMax) {
        commit = new GroupCommit(db.writer(), db.begin(), db.readers(), db.readerPool(), batchMax, queueMax, chat);
    }

    /**
     * The group commit's meters: each commit's time and number of writes (histograms), and the writes
     * waiting (read when scraped). Recorded once per batch, on the writer thread.
     */
    @Override
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        var commitTime = io.micrometer.core.instrument.Timer.builder("parley.store.commit")
                .description("time of one group commit: its writes, and the commit with its fsync")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofNanos(100_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10)).register(registry);
        var batchSize = io.micrometer.core.instrument.DistributionSummary.builder("parley.store.batch")
                .baseUnit("writes").description("writes in one group commit")
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000).register(registry);
        io.micrometer.core.instrument.Gauge.builder("parley.store.queue", commit::queued).strongReference(true)
                .baseUnit("writes").description("writes waiting for the store's writer").register(registry);
        commit.observe((writes, nanos) -> {
            commitTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            batchSize.record(writes);
        });
    }

    // ---- ChatStore ------------------------------------------------------------------------------

    @Override
    public void append(NewMessage message, Consumer<AppendOutcome> onDurable) {
        commit.enqueue(chat.append(message, onDurable));
    }

    @Override
    public CompletableFuture<List<ChatMessage>> latest(RoomId room, int limit) {
        return before(room, Long.MAX_VALUE, limit);
    }

    @Override
    public CompletableFuture<List<ChatMessage>> before(RoomId room, long beforeSeq, int limit) {
        return commit.read(sql -> ChatSql.before(sql, room, beforeSeq, limit));
    }

    @Override
    public CompletableFuture<List<ChatMessage>> after(RoomId room, long afterSeq, int limit) {
        return commit.read(sql -> ChatSql.after(sql, room, afterSeq, limit));
    }

    @Override
    public CompletableFuture<List<ChatMessage>> search(Search search) {
        return commit.read(sql -> ChatSql.search(sql, search));
    }

    @Override
    public CompletableFuture<StoredRoom> createRoom(NewRoom room) {
        return commit.write(sql -> chat.createRoom(sql, room));
    }

    @Override
    public CompletableFuture<List<StoredRoom>> rooms() {
        return commit.read(ChatSql::rooms);
    }

    @Override
    public CompletableFuture<Void> setMember(RoomId room, UserId user, Role role, UserId by, long ts) {
        return commit.write(sql -> ChatSql.setMember(sql, room, user, role, by, ts));
    }

    @Override
    public CompletableFuture<Void> ban(RoomId room, UserId user, UserId by, long ts) {
        return commit.write(sql -> ChatSql.ban(sql, room, user, by, ts));
    }

    @Override
    public CompletableFuture<Void> unban(RoomId room, UserId user) {
        return commit.write(sql -> ChatSql.unban(sql, room, user));
    }

    @Override
    public CompletableFuture<List<String>> deleteRoom(RoomId room) {
        return commit.write(sql -> chat.deleteRoom(sql, room));
    }

    @Override
    public CompletableFuture<Person> person(UserId user) {
        return commit.read(sql -> ChatSql.person(sql, user));
    }

    @Override
    public CompletableFuture<List<Person>> findPeople(String query, int limit) {
        return commit.read(sql -> ChatSql.findPeople(sql, query, limit));
    }

    @Override
    public CompletableFuture<RoomFile> file(String fileId) {
        return commit.read(sql -> ChatSql.file(sql, fileId));
    }

    @Override
    public CompletableFuture<Boolean> fileStored(String fileId, long ts) {
        return commit.write(sql -> ChatSql.fileStored(sql, fileId, ts));
    }

    @Override
    public CompletableFuture<List<ReadState>> readStates(UserId user, Map<RoomId, Long> atLeast, int countMax) {
        return commit.read(sql -> ChatSql.readStates(sql, user, atLeast, countMax));
    }

    @Override
    public CompletableFuture<Void> saveReadMarkers(List<ReadState.Marker> markers) {
        return commit.write(sql -> ChatSql.saveReadMarkers(sql, markers));
    }

    @Override
    public CompletableFuture<Void> setNotify(UserId user, RoomId room, ReadState.Notify level) {
        return commit.write(sql -> ChatSql.setNotify(sql, user, room, level));
    }

    @Override
    public CompletableFuture<Boolean> healthy() {
        if (!commit.writing()) return CompletableFuture.completedFuture(false);
        return commit.read(ChatSql::readable).exceptionally(e -> false);
    }

    // ---- CallLog --------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> joined(String call, RoomId room, ClientInfo who, long ts) {
        return commit.write(sql -> CallSql.joined(sql, call, room, who, ts));
    }

    @Override
    public CompletableFuture<Void> left(String call, SessionId session, long ts) {
        return commit.write(sql -> CallSql.left(sql, call, session, ts));
    }

    @Override
    public CompletableFuture<Void> interrupted(long ts) {
        return commit.write(sql -> CallSql.interrupted(sql, ts));
    }

    @Override
    public CompletableFuture<Reported> report(String call, RoomId room, SessionId session, boolean last, String report, long ts) {
        return commit.write(sql -> CallSql.report(sql, call, room, session, last, report, ts));
    }

    @Override
    public CompletableFuture<List<CallRecord>> recent(RoomId room, int limit) {
        // Through the writer, behind the records queued before it: a call that was just joined is listed.
        return commit.write(sql -> CallSql.recent(sql, room, limit));
    }

    @Override
    public CompletableFuture<Integer> purge(long ts) {
        return commit.write(sql -> CallSql.purge(sql, ts));
    }

    // ---- AccountStore ---------------------------------------------------------------------------

    @Override
    public CompletableFuture<Creation> createAccount(NewAccount account, String invitationHash, boolean invitationRequired) {
        return commit.write(sql -> AccountSql.createAccount(sql, account, invitationHash, invitationRequired));
    }

    @Override
    public CompletableFuture<Account> accountByUsername(String username) {
        return commit.read(sql -> AccountSql.accountByUsername(sql, username));
    }

    @Override
    public CompletableFuture<Boolean> hasAccounts() {
        return commit.read(AccountSql::hasAccounts);
    }

    @Override
    public CompletableFuture<Void> createSession(NewSession session) {
        return commit.write(sql -> AccountSql.createSession(sql, session));
    }

    @Override
    public CompletableFuture<SessionAccount> session(String tokenHash, long now) {
        return commit.read(sql -> AccountSql.session(sql, tokenHash, now));
    }

    @Override
    public CompletableFuture<Void> touchSession(String tokenHash, long now) {
        return commit.write(sql -> AccountSql.touchSession(sql, tokenHash, now));
    }

    @Override
    public CompletableFuture<Boolean> deleteSession(String tokenHash) {
        return commit.write(sql -> AccountSql.deleteSession(sql, tokenHash));
    }

    @Override
    public CompletableFuture<Void> changePassword(UserId user, String passwordHash, String keepTokenHash) {
        return commit.write(sql -> AccountSql.changePassword(sql, user, passwordHash, keepTokenHash));
    }

    @Override
    public CompletableFuture<Account> setDisabled(String username, boolean disabled, long now) {
        return commit.write(sql -> AccountSql.setDisabled(sql, username, disabled, now));
    }

    @Override
    public CompletableFuture<List<UserId>> disabledSince(long since) {
        return commit.read(sql -> AccountSql.disabledSince(sql, since));
    }

    @Override
    public CompletableFuture<Boolean> invitationValid(String codeHash, long now) {
        return commit.read(sql -> AccountSql.invitationValid(sql, codeHash, now));
    }

    @Override
    public CompletableFuture<Void> createInvitation(String codeHash, UserId createdBy, long created, long expires) {
        return commit.write(sql -> AccountSql.createInvitation(sql, codeHash, createdBy, created, expires));
    }

    @Override
    public CompletableFuture<Integer> deleteExpired(long now) {
        return commit.write(sql -> AccountSql.deleteExpired(sql, now));
    }

    /** Stops taking writes, commits what is queued, reports it, and closes the connections. */
    @Override
    public void close() {
        commit.close();
    }
}
