package parley.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import parley.account.AccountStore.Account;
import parley.account.AccountStore.Creation;
import parley.account.AccountStore.NewAccount;
import parley.account.AccountStore.NewSession;
import parley.account.AccountStore.SessionAccount;
import parley.room.ChatMessage;
import parley.room.ChatStore;
import parley.room.ChatStore.AppendOutcome;
import parley.room.ChatStore.NewMessage;
import parley.room.ChatStore.NewRoom;
import parley.room.ChatStore.StoredRoom;
import parley.room.RoomFile;
import parley.room.RoomId;
import parley.room.SharedFile;
import parley.room.UserId;

/**
 * What only the SQLite store shows, on a file in a temporary directory: a restart, writes that share a
 * batch, migrations of old databases, health once closed, and the accounts (the chat store's contract is
 * {@link SqliteChatStoreTest}'s).
 */
class SqliteStoreTest {
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dir;

    private Path file;
    private SqliteStore store;
    private Thread writer;

    @BeforeEach
    void open() {
        file = dir.resolve("parley.db");
        store = openStore();
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    /** Opens the store and remembers its writer thread, so that a test can tell when it is busy. */
    private SqliteStore openStore() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        SqliteStore s = new SqliteStore(file, 64, 10_000, 2);
        writer = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("parley-store-write") && !before.contains(t))
                .findFirst().orElseThrow(() -> new AssertionError("the store started no writer thread"));
        return s;
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private CompletableFuture<StoredRoom> createRoom(String id, String name) {
        return store.createRoom(new NewRoom(new RoomId(id), name, "about " + name, new UserId("u_ada"), 1_000));
    }

    private CompletableFuture<AppendOutcome> append(String room, String sender, String clientId, String text) {
        CompletableFuture<AppendOutcome> outcome = new CompletableFuture<>();
        store.append(new NewMessage(new RoomId(room), new UserId(sender), "name of " + sender, clientId, text, 2_000), outcome::complete);
        return outcome;
    }

    private static AppendOutcome.Stored stored(CompletableFuture<AppendOutcome> outcome) throws Exception {
        AppendOutcome o = await(outcome);
        assertThat(o).isInstanceOf(AppendOutcome.Stored.class);
        return (AppendOutcome.Stored) o;
    }

    /** Ada edits message 1 of r_general to {@code text} and deletes message 2. */
    private void editFirstAndDeleteSecond(String text) throws Exception {
        for (var change : List.of(
                new NewMessage(new RoomId("r_general"), new UserId("u_ada"), "Ada", "e1", text, 3_000, null,
                        ChatMessage.Kind.EDIT, 1, null, false),
                new NewMessage(new RoomId("r_general"), new UserId("u_ada"), "Ada", "d1", "", 3_000, null,
                        ChatMessage.Kind.DELETE, 2, null, false))) {
            CompletableFuture<AppendOutcome> outcome = new CompletableFuture<>();
            store.append(change, outcome::complete);
            stored(outcome);
        }
    }

    @Test
    void the_text_an_edit_or_a_deletion_replaced_is_not_left_in_the_database_file() throws Exception {
        await(createRoom("r_general", "General"));
        stored(append("r_general", "u_ada", "c1", "first words, to be edited away " + "x".repeat(300)));
        stored(append("r_general", "u_ada", "c2", "second words, to be deleted " + "y".repeat(300)));
        stored(append("r_general", "u_ada", "c3", "third words, which stay"));
        editFirstAndDeleteSecond("edited");
        store.close(); // the last connection checkpoints the write-ahead log into the file and removes it
        store = null;

        String bytes = new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(bytes).contains("edited").doesNotContain("to be edited away").doesNotContain("to be deleted");
    }

    @Test
    void the_search_index_keeps_no_trigram_of_a_text_an_edit_or_a_deletion_replaced() throws Exception {
        await(createRoom("r_general", "General"));
        stored(append("r_general", "u_ada", "c1", "quixotic zephyr"));
        stored(append("r_general", "u_ada", "c2", "jovial wombat"));
        stored(append("r_general", "u_ada", "c3", "calm heron"));
        editFirstAndDeleteSecond("plain words");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, 'message_search', 'row')");
            List<String> terms = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT term FROM temp.terms")) {
                while (r.next()) terms.add(r.getString(1));
            }
            assertThat(terms).as("trigrams of the text of now").contains("pla", "her")
                    .as("none of the replaced or deleted texts (secure-delete)").doesNotContain("zep", "qui", "wom", "jov");
        }
    }

    @Test
    void messages_stored_before_the_search_index_existed_are_found_once_migrated() throws Exception {
        reopenMigrated("6",
                "INSERT INTO rooms (id, name, name_key, created_at, last_seq) VALUES ('r_g', 'general', 'general', 1, 3)",
                "INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at)"
                        + " VALUES ('r_g', 1, 'u_ada', 'Ada', 'c1', 'an old harbour', 2)",
                "INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at, deleted_at, deleted_by, deleted_by_name)"
                        + " VALUES ('r_g', 2, 'u_ada', 'Ada', 'c2', '', 3, 4, 'u_ada', 'Ada')",
                "INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at, kind, target_seq)"
                        + " VALUES ('r_g', 3, 'u_ada', 'Ada', 'd2', '', 4, 'delete', 2)");
        RoomId room = new RoomId("r_g");
        stored(append("r_g", "u_ada", "c4", "a new harbour"));

        List<ChatMessage> found = await(store.search(new parley.room.Search(List.of("harbour"), Set.of(room), null, 10)));
        assertThat(found).extracting(ChatMessage::seq).as("newest first: the new message after the migrated one").containsExactly(4L, 1L);
    }

    private List<Long> seqsAfter(String room, long afterSeq) throws Exception {
        return seqs(await(store.after(new RoomId(room), afterSeq, 100_000)));
    }

    private static List<Long> seqs(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::seq).toList();
    }

    // ---- sequence numbers (more in ChatStoreContract) --------------------------------------------

    @Test
    void outcomes_are_reported_on_the_store_s_one_completion_thread() throws Exception {
        await(createRoom("r_general", "General"));
        List<String> threads = new ArrayList<>();
        CountDownLatch reported = new CountDownLatch(20);
        Thread other = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 10; i++) {
                store.append(new NewMessage(new RoomId("r_general"), new UserId("u_bob"), "Bob", "b" + i, "hi", 2_000), outcome -> {
                    synchronized (threads) {
                        threads.add(Thread.currentThread().getName());
                    }
                    reported.countDown();
                });
            }
        });
        for (int i = 0; i < 10; i++) {
            append("r_general", "u_ada", "a" + i, "hello").thenRun(() -> {
                synchronized (threads) {
                    threads.add(Thread.currentThread().getName());
                }
                reported.countDown();
            });
        }
        other.join();

        assertThat(reported.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        synchronized (threads) {
            assertThat(threads.stream().distinct().toList()).hasSize(1)
                    .allSatisfy(name -> assertThat(name).startsWith("parley-store-done"));
        }
    }

    @Test
    void reopening_the_store_keeps_the_messages_and_continues_the_numbering() throws Exception {
        await(createRoom("r_general", "General"));
        for (int i = 1; i <= 3; i++) stored(append("r_general", "u_ada", "c" + i, "before restart " + i));
        store.close();
        store = null;

        store = openStore();

        assertThat(await(store.rooms())).containsExactly(new StoredRoom(new RoomId("r_general"), "General", "about General", 3));
        assertThat(stored(append("r_general", "u_ada", "c4", "after restart")).message().seq()).isEqualTo(4);
        assertThat(stored(append("r_general", "u_ada", "c1", "a retry from before")).duplicate()).isTrue();
        List<ChatMessage> all = await(store.after(new RoomId("r_general"), 0, 100));
        assertThat(seqs(all)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(all.getFirst()).isEqualTo(new ChatMessage(new RoomId("r_general"), 1, "c1", new UserId("u_ada"), "name of u_ada",
                "before restart 1", 2_000));
    }

    // ---- idempotent appends ---------------------------------------------------------------------

    @Test
    void the_same_client_id_from_the_same_sender_twice_in_one_batch_is_stored_once() throws Exception {
        await(createRoom("r_general", "General"));
        CompletableFuture<AppendOutcome> first;
        CompletableFuture<AppendOutcome> again;
        CompletableFuture<AppendOutcome> other;
        try (WriterPause pause = new WriterPause()) {
            CompletableFuture<StoredRoom> plug = createRoom("r_plug", "plug");
            pause.awaitWriterBlocked();
            first = append("r_general", "u_ada", "c1", "hello");
            again = append("r_general", "u_ada", "c1", "hello");
            other = append("r_general", "u_ada", "c2", "world");
            pause.release();
            assertThat(await(plug).id()).isEqualTo(new RoomId("r_plug"));
        }

        assertThat(stored(first).message().seq()).isEqualTo(1);
        assertThat(stored(first).duplicate()).isFalse();
        assertThat(stored(again).duplicate()).isTrue();
        assertThat(stored(again).message()).isEqualTo(stored(first).message());
        assertThat(stored(other).message().seq()).isEqualTo(2);
        assertThat(await(store.after(new RoomId("r_general"), 0, 100))).extracting(ChatMessage::clientId).containsExactly("c1", "c2");
    }

    // ---- rooms ----------------------------------------------------------------------------------

    @Test
    void a_room_name_differing_only_in_case_is_taken_while_the_other_writes_of_its_batch_commit() throws Exception {
        await(createRoom("r_general", "General"));
        CompletableFuture<AppendOutcome> before;
        CompletableFuture<StoredRoom> upper;
        CompletableFuture<StoredRoom> design;
        CompletableFuture<StoredRoom> designAgain;
        CompletableFuture<AppendOutcome> after;
        try (WriterPause pause = new WriterPause()) {
            CompletableFuture<Creation> plug = newAccount("u_plug", "plug", null, false); // any write that is not a room
            pause.awaitWriterBlocked();
            before = append("r_general", "u_ada", "c1", "before");
            upper = createRoom("r_upper", "GENERAL");
            design = createRoom("r_design", "Design");
            designAgain = createRoom("r_design2", "design");
            after = append("r_general", "u_ada", "c2", "after");
            pause.release();
            await(plug);
        }

        assertNameTaken(upper);
        assertNameTaken(designAgain);
        assertThat(await(design)).isEqualTo(new StoredRoom(new RoomId("r_design"), "Design", "about Design", 0));
        assertThat(stored(before).message().seq()).isEqualTo(1);
        assertThat(stored(after).message().seq()).isEqualTo(2);
        assertThat(await(store.rooms())).extracting(r -> r.id().value()).containsExactly("r_design", "r_general");
        assertThat(seqsAfter("r_general", 0)).containsExactly(1L, 2L);
    }

    private static void assertNameTaken(CompletableFuture<StoredRoom> created) {
        assertThatThrownBy(() -> await(created))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ChatStore.NameTakenException.class);
    }

    // ---- accounts -------------------------------------------------------------------------------

    private CompletableFuture<Creation> newAccount(String id, String username, String invitationHash, boolean required) {
        return store.createAccount(new NewAccount(new UserId(id), username, "name of " + username, "$argon2id$hash-of-" + id, false, 1_000),
                invitationHash, required);
    }

    private static Account created(Creation c) {
        assertThat(c).isInstanceOf(Creation.Created.class);
        return ((Creation.Created) c).account();
    }

    @Test
    void the_first_account_is_an_admin_and_usernames_are_unique_ignoring_case() throws Exception {
        assertThat(await(store.hasAccounts())).isFalse();
        Account ada = created(await(newAccount("u_ada", "Ada", null, false)));
        Account grace = created(await(newAccount("u_grace", "grace", null, false)));

        assertThat(ada.admin()).isTrue();
        assertThat(grace.admin()).isFalse();
        assertThat(await(newAccount("u_other", "ADA", null, false))).isInstanceOf(Creation.UsernameTaken.class);
        assertThat(await(store.accountByUsername("aDa"))).isEqualTo(ada);
        assertThat(await(store.accountByUsername("nobody"))).isNull();
        assertThat(await(store.hasAccounts())).isTrue();
    }

    @Test
    void an_invitation_lets_one_account_sign_up_once_before_it_expires() throws Exception {
        created(await(newAccount("u_admin", "admin", null, true))); // the first needs none
        assertThat(await(newAccount("u_x", "x1", null, true))).isEqualTo(new Creation.InvitationRefused(false));
        await(store.createInvitation("code-1", new UserId("u_admin"), 1_000, 5_000));
        await(store.createInvitation("code-old", new UserId("u_admin"), 0, 1_000));

        assertThat(await(store.invitationValid("code-1", 1_000))).isTrue();
        created(await(newAccount("u_ada", "ada", "code-1", true)));
        assertThat(await(store.invitationValid("code-1", 1_000))).as("used").isFalse();
        assertThat(await(newAccount("u_bob", "bob", "code-1", true))).isEqualTo(new Creation.InvitationRefused(true));
        assertThat(await(newAccount("u_bob", "bob", "code-old", true))).as("expired").isEqualTo(new Creation.InvitationRefused(true));
        assertThat(await(newAccount("u_bob", "bob", "no-such-code", false))).as("a bad code, even when none is needed")
                .isEqualTo(new Creation.InvitationRefused(true));
        assertThat(await(store.accountByUsername("bob"))).isNull();
    }

    @Test
    void a_session_lives_until_it_expires_is_deleted_or_its_account_is_disabled() throws Exception {
        created(await(newAccount("u_ada", "ada", null, false)));
        UserId ada = new UserId("u_ada");
        await(store.createSession(new NewSession("s1", ada, 1_000, 10_000)));
        await(store.createSession(new NewSession("s2", ada, 1_000, 10_000)));
        await(store.createSession(new NewSession("s3", ada, 1_000, 10_000)));

        SessionAccount s1 = await(store.session("s1", 5_000));
        assertThat(s1.account().username()).isEqualTo("ada");
        assertThat(s1.lastUsed()).isEqualTo(1_000);
        await(store.touchSession("s1", 6_000));
        assertThat(await(store.session("s1", 7_000)).lastUsed()).isEqualTo(6_000);
        assertThat(await(store.session("s1", 10_000))).as("expired").isNull();
        assertThat(await(store.session("nope", 5_000))).isNull();

        assertThat(await(store.deleteSession("s2"))).isTrue();
        assertThat(await(store.deleteSession("s2"))).isFalse();
        assertThat(await(store.session("s2", 5_000))).isNull();

        await(store.changePassword(ada, "$argon2id$new", "s3"));
        assertThat(await(store.accountByUsername("ada")).passwordHash()).isEqualTo("$argon2id$new");
        assertThat(await(store.session("s1", 5_000))).as("another session ends with a new password").isNull();
        assertThat(await(store.session("s3", 5_000))).as("the one that changed it stays").isNotNull();

        assertThat(await(store.setDisabled("ADA", true, 8_000)).disabled()).isTrue();
        assertThat(await(store.session("s3", 8_500))).as("disabled: every session ends").isNull();
        assertThat(await(store.disabledSince(8_000))).containsExactly(ada);
        assertThat(await(store.disabledSince(8_001))).isEmpty();
        assertThat(await(store.setDisabled("ada", false, 9_000)).disabled()).isFalse();
        assertThat(await(store.disabledSince(0))).isEmpty();
        assertThat(await(store.setDisabled("nobody", true, 9_000))).isNull();
    }

    @Test
    void expired_sessions_and_unused_invitations_are_deleted() throws Exception {
        created(await(newAccount("u_ada", "ada", null, false)));
        UserId ada = new UserId("u_ada");
        await(store.createSession(new NewSession("old", ada, 1_000, 2_000)));
        await(store.createSession(new NewSession("live", ada, 1_000, 9_000)));
        await(store.createInvitation("old-code", ada, 1_000, 2_000));
        await(store.createInvitation("live-code", ada, 1_000, 9_000));

        assertThat(await(store.deleteExpired(5_000))).isEqualTo(2);
        assertThat(await(store.session("live", 5_000))).isNotNull();
        assertThat(await(store.invitationValid("live-code", 5_000))).isTrue();
    }

    @Test
    void a_room_deleted_in_the_same_commit_as_messages_to_it_and_to_other_rooms_takes_only_its_own() throws Exception {
        await(createRoom("r_x", "x"));
        await(createRoom("r_y", "y"));
        List<CompletableFuture<AppendOutcome>> toX = new java.util.ArrayList<>(), toY = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            toX.add(append("r_x", "u_ada", "x" + i, "to x"));
            toY.add(append("r_y", "u_ada", "y" + i, "to y"));
        }
        List<String> files = await(store.deleteRoom(new RoomId("r_x"))); // most likely in the batch of the appends above
        assertThat(files).isEmpty();
        for (CompletableFuture<AppendOutcome> y : toY) stored(y);
        assertThat(seqsAfter("r_y", 0)).hasSize(20);
        assertThat(await(store.rooms())).extracting(StoredRoom::id).doesNotContain(new RoomId("r_x"));
        stored(append("r_y", "u_ada", "after", "the next commit works too"));
    }

    @Test
    void a_disabled_account_is_no_one_rooms_may_be_given() throws Exception {
        created(await(newAccount("u_ada", "ada", null, false)));
        created(await(newAccount("u_adam", "adam", null, false)));
        await(store.setDisabled("adam", true, 2_000));

        assertThat(await(store.person(new UserId("u_adam")))).isNull();
        assertThat(await(store.findPeople("ada", 10))).extracting(p -> p.id().value()).containsExactly("u_ada");
    }

    @Test
    void a_database_of_guests_migrates_and_their_messages_read_as_before() throws Exception {
        Path old = reopenMigrated("2",
                "INSERT INTO guests (id, name, token_hash, created_at) VALUES ('u_guest', 'Guest', 'h', 1)",
                "INSERT INTO rooms (id, name, name_key, created_at, last_seq) VALUES ('r_g', 'general', 'general', 1, 1)",
                "INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at)"
                        + " VALUES ('r_g', 1, 'u_guest', 'Guest', 'c1', 'from a guest', 2)");

        assertThat(await(store.latest(new RoomId("r_g"), 10)))
                .containsExactly(new ChatMessage(new RoomId("r_g"), 1, "c1", new UserId("u_guest"), "Guest", "from a guest", 2));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM sqlite_master WHERE name = 'guests'");
             ResultSet r = s.executeQuery()) {
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).as("the guests table, read by nothing, is gone (V5)").isZero();
        }
        assertThat(created(await(newAccount("u_ada", "ada", null, false))).admin()).as("no account yet: the first is admin").isTrue();
    }

    @Test
    void the_files_of_an_older_database_read_as_before_once_their_redundant_time_is_dropped() throws Exception {
        reopenMigrated("4",
                "INSERT INTO rooms (id, name, name_key, created_at, last_seq) VALUES ('r_g', 'general', 'general', 1, 1)",
                "INSERT INTO files (id, room_id, uploader_id, name, size, type, sha256, created_at, stored_at)"
                        + " VALUES ('f_old', 'r_g', 'u_ada', 'a.txt', 3, 'text/plain', 'ab', 2, 3)",
                "INSERT INTO messages (room_id, seq, sender_id, sender_name, client_id, body, created_at, file_id)"
                        + " VALUES ('r_g', 1, 'u_ada', 'Ada', 'c1', 'a file', 2, 'f_old')");

        SharedFile meta = new SharedFile("f_old", "a.txt", 3, "text/plain", "ab", true);
        assertThat(await(store.file("f_old"))).isEqualTo(new RoomFile(new RoomId("r_g"), new UserId("u_ada"), meta));
        assertThat(await(store.latest(new RoomId("r_g"), 10)).getFirst().file()).isEqualTo(meta);
    }

    /**
     * Closes the store, makes a database of an older version ({@code target}) holding {@code rows}, and
     * opens the store on it, which migrates it; returns its file.
     */
    private Path reopenMigrated(String target, String... rows) throws Exception {
        store.close();
        store = null;
        Path old = dir.resolve("old.db");
        org.flywaydb.core.Flyway.configure().dataSource("jdbc:sqlite:" + old, null, null).locations("classpath:db/migration")
                .target(target).load().migrate();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old); Statement s = c.createStatement()) {
            for (String row : rows) s.execute(row);
        }
        file = old;
        store = openStore();
        return old;
    }

    // ---- health ---------------------------------------------------------------------------------

    @Test
    void the_store_is_healthy_while_open_and_not_once_closed() throws Exception {
        assertThat(await(store.healthy())).isTrue();

        store.close();
        SqliteStore closed = store;
        store = null;

        assertThat(await(closed.healthy())).isFalse();
    }

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * Holds SQLite's write lock from a second connection, so that the store's writer blocks on the first
     * write of its next batch. Writes queued while it is blocked all go into the batch after it: that is
     * how a test puts several writes into one batch. The write that blocks must write before it reads
     * (SQLite fails at once, without waiting, a transaction that read and then wants the lock).
     */
    private final class WriterPause implements AutoCloseable {
        private final Connection lock;
        private boolean released;

        WriterPause() throws SQLException {
            lock = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = lock.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
        }

        /** Returns once the writer has taken its next write off the queue and is inside SQLite with it. */
        void awaitWriterBlocked() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (Arrays.stream(writer.getStackTrace()).noneMatch(f -> f.getClassName().startsWith("org.sqlite."))) {
                if (System.nanoTime() > deadline) throw new AssertionError("the store's writer never reached SQLite");
                Thread.onSpinWait();
            }
        }

        void release() throws SQLException {
            if (released) return;
            released = true;
            try (Statement s = lock.createStatement()) {
                s.execute("ROLLBACK");
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                release();
            } finally {
                lock.close();
            }
        }
    }
}
