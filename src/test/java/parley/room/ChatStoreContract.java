package parley.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import parley.room.ChatStore.AppendOutcome;
import parley.room.ChatStore.NewMessage;
import parley.room.ChatStore.NewRoom;
import parley.room.ChatStore.Person;
import parley.room.ChatStore.StoredRoom;

/**
 * What every {@link ChatStore} does, whatever it keeps its data in: each implementation has a subclass
 * that opens a fresh, empty one. What only one implementation can show (a restart, a batch, a migration)
 * is tested beside it.
 */
public abstract class ChatStoreContract {
    private static final long WAIT_SECONDS = 10;
    private static final RoomId GENERAL = new RoomId("r_general");
    private static final UserId ADA = new UserId("u_ada");
    private static final UserId BOB = new UserId("u_bob");
    private static final UserId EVE = new UserId("u_eve");

    protected ChatStore store;

    /** A new, empty store. */
    protected abstract ChatStore open();

    /** An enabled account others may find; the first one a store is given is an admin. */
    protected abstract void addPerson(UserId id, String username, String name, boolean admin);

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) store.close();
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private StoredRoom createRoom(String id, String name) throws Exception {
        return await(store.createRoom(new NewRoom(new RoomId(id), name, "about " + name, ADA, 1_000)));
    }

    private StoredRoom createRoom(String id, String name, RoomKind kind, String directKey, Membership... members) throws Exception {
        return await(store.createRoom(new NewRoom(new RoomId(id), name, "", ADA, 1_000, kind, directKey, List.of(members))));
    }

    private AppendOutcome.Stored append(RoomId room, UserId sender, String clientId, String text, SharedFile file) throws Exception {
        CompletableFuture<AppendOutcome> outcome = new CompletableFuture<>();
        store.append(new NewMessage(room, sender, "name of " + sender, clientId, text, 2_000, file), outcome::complete);
        assertThat(await(outcome)).isInstanceOf(AppendOutcome.Stored.class);
        return (AppendOutcome.Stored) await(outcome);
    }

    private AppendOutcome.Stored append(RoomId room, UserId sender, String clientId, String text) throws Exception {
        return append(room, sender, clientId, text, null);
    }

    private AppendOutcome change(UserId sender, String clientId, ChatMessage.Kind kind, long target, String text,
                                 String emoji, boolean moderator) throws Exception {
        CompletableFuture<AppendOutcome> outcome = new CompletableFuture<>();
        store.append(new NewMessage(GENERAL, sender, "name of " + sender, clientId, text, 3_000, null, kind, target,
                emoji, moderator), outcome::complete);
        return await(outcome);
    }

    private AppendOutcome.Stored changed(UserId sender, String clientId, ChatMessage.Kind kind, long target, String text,
                                         String emoji, boolean moderator) throws Exception {
        AppendOutcome outcome = change(sender, clientId, kind, target, text, emoji, moderator);
        assertThat(outcome).isInstanceOf(AppendOutcome.Stored.class);
        return (AppendOutcome.Stored) outcome;
    }

    private AppendOutcome.Stored edit(UserId sender, String clientId, long target, String text) throws Exception {
        return changed(sender, clientId, ChatMessage.Kind.EDIT, target, text, null, false);
    }

    private AppendOutcome.Stored react(UserId sender, String clientId, long target, String emoji) throws Exception {
        return changed(sender, clientId, ChatMessage.Kind.REACTION, target, "", emoji, false);
    }

    private ChatMessage entry(long seq) throws Exception {
        return await(store.after(GENERAL, seq - 1, 1)).getFirst();
    }

    private static List<Long> seqs(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::seq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private StoredRoom room(RoomId id) throws Exception {
        return await(store.rooms()).stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private static Membership member(UserId id, String name, Role role) {
        return new Membership(new UserRef(id, name), role);
    }

    // ---- sequence numbers -----------------------------------------------------------------------

    @Test
    void sequence_numbers_start_at_1_per_room_and_have_no_gaps_under_concurrent_appenders() throws Exception {
        createRoom("r_a", "alpha");
        createRoom("r_b", "beta");
        int threads = 8;
        int perThread = 250;
        record Report(RoomId room, long seq, boolean duplicate) {}
        List<Report> reports = new ArrayList<>();
        List<AppendOutcome> failures = new ArrayList<>();
        AtomicInteger reporting = new AtomicInteger();
        List<Integer> overlaps = new ArrayList<>();
        CountDownLatch reported = new CountDownLatch(threads * perThread);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService appenders = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                UserId sender = new UserId("u_" + t);
                running.add(appenders.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        RoomId room = new RoomId(i % 2 == 0 ? "r_a" : "r_b");
                        store.append(new NewMessage(room, sender, "sender", "c" + i, "text " + i, 3_000), outcome -> {
                            int at = reporting.incrementAndGet();
                            synchronized (reports) {
                                if (at != 1) overlaps.add(at);
                                if (outcome instanceof AppendOutcome.Stored s) {
                                    reports.add(new Report(s.message().room(), s.message().seq(), s.duplicate()));
                                } else {
                                    failures.add(outcome);
                                }
                            }
                            reporting.decrementAndGet();
                            reported.countDown();
                        });
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : running) f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(reported.await(30, TimeUnit.SECONDS)).as("every append reported").isTrue();
        } finally {
            appenders.shutdownNow();
        }

        int perRoom = threads * perThread / 2;
        synchronized (reports) {
            assertThat(failures).isEmpty();
            assertThat(overlaps).as("outcomes are reported one at a time").isEmpty();
            assertThat(reports).noneMatch(Report::duplicate);
            for (String room : List.of("r_a", "r_b")) {
                assertThat(reports.stream().filter(r -> r.room().value().equals(room)).map(Report::seq).toList())
                        .as("%s reported in commit order, 1 to %d", room, perRoom)
                        .isEqualTo(range(1, perRoom));
            }
        }
        assertThat(seqs(await(store.after(new RoomId("r_a"), 0, 100_000)))).isEqualTo(range(1, perRoom));
        assertThat(seqs(await(store.after(new RoomId("r_b"), 0, 100_000)))).isEqualTo(range(1, perRoom));
        assertThat(await(store.rooms())).extracting(StoredRoom::lastSeq).containsExactly((long) perRoom, (long) perRoom);
    }

    @Test
    void an_append_to_no_such_room_fails_and_stores_nothing() throws Exception {
        CompletableFuture<AppendOutcome> outcome = new CompletableFuture<>();
        store.append(new NewMessage(new RoomId("r_nowhere"), ADA, "Ada", "c1", "hello", 2_000), outcome::complete);

        assertThat(await(outcome)).isInstanceOf(AppendOutcome.Failed.class);
        assertThat(await(store.latest(new RoomId("r_nowhere"), 10))).isEmpty();
    }

    // ---- idempotent appends ---------------------------------------------------------------------

    @Test
    void the_same_client_id_from_the_same_sender_again_gives_the_original_seq_as_a_duplicate() throws Exception {
        createRoom("r_general", "General");
        AppendOutcome.Stored first = append(GENERAL, ADA, "c1", "hello");
        append(GENERAL, BOB, "c9", "hi");

        AppendOutcome.Stored retry = append(GENERAL, ADA, "c1", "hello, retried");

        assertThat(first.duplicate()).isFalse();
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.message()).isEqualTo(first.message());
        assertThat(seqs(await(store.after(GENERAL, 0, 100)))).containsExactly(1L, 2L);
        assertThat(append(GENERAL, ADA, "c2", "next").message().seq()).isEqualTo(3);
    }

    @Test
    void the_same_client_id_from_another_sender_or_in_another_room_is_a_new_message() throws Exception {
        createRoom("r_general", "General");
        createRoom("r_random", "Random");

        AppendOutcome.Stored ada = append(GENERAL, ADA, "c1", "from Ada");
        AppendOutcome.Stored bob = append(GENERAL, BOB, "c1", "from Bob");
        AppendOutcome.Stored elsewhere = append(new RoomId("r_random"), ADA, "c1", "from Ada, elsewhere");

        assertThat(List.of(ada, bob, elsewhere)).noneMatch(AppendOutcome.Stored::duplicate);
        assertThat(bob.message().seq()).isEqualTo(2);
        assertThat(elsewhere.message().seq()).isEqualTo(1);
        assertThat(await(store.after(GENERAL, 0, 100))).extracting(ChatMessage::text).containsExactly("from Ada", "from Bob");
    }

    // ---- reads ----------------------------------------------------------------------------------

    @Test
    void latest_before_and_after_return_pages_oldest_first() throws Exception {
        createRoom("r_general", "General");
        createRoom("r_random", "Random");
        for (int i = 1; i <= 10; i++) append(GENERAL, ADA, "g" + i, "general " + i);
        for (int i = 1; i <= 3; i++) append(new RoomId("r_random"), ADA, "r" + i, "random " + i);

        assertThat(seqs(await(store.latest(GENERAL, 3)))).containsExactly(8L, 9L, 10L);
        assertThat(seqs(await(store.latest(GENERAL, 50)))).isEqualTo(range(1, 10));
        assertThat(seqs(await(store.before(GENERAL, 5, 3)))).containsExactly(2L, 3L, 4L);
        assertThat(seqs(await(store.before(GENERAL, 3, 10)))).containsExactly(1L, 2L);
        assertThat(await(store.before(GENERAL, 1, 10))).isEmpty();
        assertThat(seqs(await(store.after(GENERAL, 7, 2)))).containsExactly(8L, 9L);
        assertThat(seqs(await(store.after(GENERAL, 8, 10)))).containsExactly(9L, 10L);
        assertThat(await(store.after(GENERAL, 10, 10))).isEmpty();
        assertThat(await(store.latest(new RoomId("r_random"), 10))).extracting(ChatMessage::text)
                .containsExactly("random 1", "random 2", "random 3");
        assertThat(await(store.latest(new RoomId("r_nowhere"), 10))).isEmpty();
        assertThat(await(store.latest(GENERAL, 1)).getFirst())
                .isEqualTo(new ChatMessage(GENERAL, 10, "g10", ADA, "name of u_ada", "general 10", 2_000));
    }

    // ---- edits, deletions, reactions ------------------------------------------------------------

    @Test
    void an_edit_is_an_entry_of_the_order_that_replaces_its_targets_text_and_is_read_with_the_text_of_now() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "first draft");

        AppendOutcome.Stored first = edit(ADA, "e1", 1, "second draft");
        AppendOutcome.Stored second = edit(ADA, "e2", 1, "final");

        ChatMessage entry = first.message();
        assertThat(entry.seq()).isEqualTo(2);
        assertThat(entry.kind()).isEqualTo(ChatMessage.Kind.EDIT);
        assertThat(entry.target()).isEqualTo(1);
        assertThat(entry.text()).as("the entry as published carries the new text").isEqualTo("second draft");
        assertThat(second.message().seq()).isEqualTo(3);
        List<ChatMessage> all = await(store.after(GENERAL, 0, 10));
        assertThat(all).extracting(ChatMessage::kind)
                .containsExactly(ChatMessage.Kind.MESSAGE, ChatMessage.Kind.EDIT, ChatMessage.Kind.EDIT);
        assertThat(all).extracting(ChatMessage::text).as("no read gives a text that was replaced")
                .containsExactly("final", "final", "final");
        assertThat(all.getFirst().edited()).isEqualTo(3_000);
        assertThat(await(store.latest(GENERAL, 10))).isEqualTo(all);
        assertThat(room(GENERAL).lastSeq()).isEqualTo(3);
    }

    @Test
    void a_deletion_blanks_its_target_takes_its_file_and_reactions_and_leaves_a_tombstone() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "the secret plan", new SharedFile("f_1", "plan.txt", 3, "text/plain", "ab", false));
        react(BOB, "r1", 1, "👍");
        edit(ADA, "e1", 1, "the secret plan, revised");

        AppendOutcome.Stored deleted = changed(BOB, "d1", ChatMessage.Kind.DELETE, 1, "", null, true);

        assertThat(deleted.removedFile()).as("its bytes are the caller's to delete").isEqualTo("f_1");
        assertThat(deleted.message().kind()).isEqualTo(ChatMessage.Kind.DELETE);
        assertThat(deleted.message().target()).isEqualTo(1);
        assertThat(await(store.file("f_1"))).isNull();
        ChatMessage tombstone = entry(1);
        assertThat(tombstone.text()).isEmpty();
        assertThat(tombstone.file()).isNull();
        assertThat(tombstone.reactions()).isEmpty();
        assertThat(tombstone.deleted()).isEqualTo(new ChatMessage.Deletion(new UserRef(BOB, "name of u_bob"), 3_000));
        assertThat(entry(3).text()).as("the edit no longer tells the text").isEmpty();
        assertThat(await(store.after(GENERAL, 0, 10))).extracting(ChatMessage::seq).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void a_reaction_toggles_per_person_and_emoji_and_says_whether_it_added() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "lunch?");

        assertThat(react(ADA, "r1", 1, "👍").message().added()).isTrue();
        assertThat(react(BOB, "r2", 1, "👍").message().added()).isTrue();
        assertThat(react(ADA, "r3", 1, "🎉").message().added()).isTrue();
        AppendOutcome.Stored undone = react(ADA, "r4", 1, "👍");

        assertThat(undone.message().added()).isFalse();
        assertThat(undone.message().emoji()).isEqualTo("👍");
        assertThat(undone.message().kind()).isEqualTo(ChatMessage.Kind.REACTION);
        assertThat(entry(1).reactions()).containsExactly(
                new ChatMessage.Reaction("👍", List.of(new UserRef(BOB, "name of u_bob"))),
                new ChatMessage.Reaction("🎉", List.of(new UserRef(ADA, "name of u_ada"))));
        assertThat(await(store.after(GENERAL, 1, 10))).extracting(ChatMessage::added).containsExactly(true, true, true, false);
    }

    @Test
    void a_change_to_no_message_to_a_change_to_a_deleted_message_or_to_someone_elses_is_refused_and_stores_nothing() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "mine");
        append(GENERAL, ADA, "c2", "gone soon");
        changed(ADA, "d1", ChatMessage.Kind.DELETE, 2, "", null, false);

        assertRefused(change(ADA, "x1", ChatMessage.Kind.EDIT, 9, "new", null, false), Refusal.NO_SUCH_MESSAGE);
        assertRefused(change(ADA, "x2", ChatMessage.Kind.REACTION, 0, "", "👍", false), Refusal.NO_SUCH_MESSAGE);
        assertRefused(change(ADA, "x3", ChatMessage.Kind.EDIT, 3, "an edit of a deletion", null, false), Refusal.NO_SUCH_MESSAGE);
        assertRefused(change(ADA, "x4", ChatMessage.Kind.EDIT, 2, "back", null, false), Refusal.BAD_STATE);
        assertRefused(change(ADA, "x5", ChatMessage.Kind.REACTION, 2, "", "👍", false), Refusal.BAD_STATE);
        assertRefused(change(BOB, "x6", ChatMessage.Kind.EDIT, 1, "not yours", null, true), Refusal.FORBIDDEN);
        assertRefused(change(BOB, "x7", ChatMessage.Kind.DELETE, 1, "", null, false), Refusal.FORBIDDEN);

        assertThat(room(GENERAL).lastSeq()).isEqualTo(3);
        assertThat(entry(1).text()).isEqualTo("mine");
        assertThat(append(GENERAL, BOB, "c3", "next").message().seq()).isEqualTo(4);
    }

    private static void assertRefused(AppendOutcome outcome, Refusal refusal) {
        assertThat(outcome).isInstanceOfSatisfying(AppendOutcome.Refused.class,
                r -> assertThat(r.reason().refusal()).isEqualTo(refusal));
    }

    @Test
    void a_retried_change_reports_its_original_entry_and_applies_once() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "hello");
        AppendOutcome.Stored reacted = react(BOB, "r1", 1, "👍");
        AppendOutcome.Stored deleted = changed(ADA, "d1", ChatMessage.Kind.DELETE, 1, "", null, false);

        AppendOutcome.Stored reactedAgain = react(BOB, "r1", 1, "👍");
        AppendOutcome.Stored deletedAgain = changed(ADA, "d1", ChatMessage.Kind.DELETE, 1, "", null, false);

        assertThat(reactedAgain.duplicate()).isTrue();
        assertThat(reactedAgain.message().seq()).isEqualTo(reacted.message().seq());
        assertThat(reactedAgain.message().added()).isTrue();
        assertThat(deletedAgain.duplicate()).isTrue();
        assertThat(deletedAgain.message().seq()).isEqualTo(deleted.message().seq());
        assertThat(room(GENERAL).lastSeq()).isEqualTo(3);
    }

    // ---- rooms ----------------------------------------------------------------------------------

    @Test
    void rooms_are_listed_by_name_ignoring_case_with_their_last_seq() throws Exception {
        createRoom("r_b", "beta");
        StoredRoom alpha = createRoom("r_a", "Alpha");
        append(new RoomId("r_b"), ADA, "c1", "one");
        append(new RoomId("r_b"), ADA, "c2", "two");

        assertThat(alpha).isEqualTo(new StoredRoom(new RoomId("r_a"), "Alpha", "about Alpha", 0));
        assertThat(await(store.rooms())).containsExactly(
                new StoredRoom(new RoomId("r_a"), "Alpha", "about Alpha", 0),
                new StoredRoom(new RoomId("r_b"), "beta", "about beta", 2));
    }

    @Test
    void a_public_room_name_is_taken_ignoring_case_by_public_rooms_only() throws Exception {
        createRoom("r_general", "General");

        assertNameTaken(store.createRoom(new NewRoom(new RoomId("r_upper"), "GENERAL", "", ADA, 1_000)));
        createRoom("r_p1", "general", RoomKind.PRIVATE, null, member(ADA, "Ada", Role.OWNER));
        createRoom("r_p2", "General", RoomKind.PRIVATE, null, member(BOB, "Bob", Role.OWNER));
        createRoom("r_secret", "Secret", RoomKind.PRIVATE, null, member(ADA, "Ada", Role.OWNER));
        createRoom("r_open", "secret");

        assertThat(await(store.rooms())).extracting(r -> r.id().value())
                .containsExactlyInAnyOrder("r_general", "r_p1", "r_p2", "r_secret", "r_open");
    }

    private static void assertNameTaken(CompletableFuture<StoredRoom> created) {
        assertThatThrownBy(() -> await(created))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ChatStore.NameTakenException.class);
    }

    @Test
    void a_direct_room_is_made_once_for_its_two_people() throws Exception {
        addPerson(ADA, "ada", "Ada", true);
        addPerson(BOB, "bob", "Bob", false);
        Membership[] two = {member(ADA, "Ada", Role.MEMBER), member(BOB, "Bob", Role.MEMBER)};
        StoredRoom first = createRoom("r_d1", "Ada, Bob", RoomKind.DIRECT, "u_ada u_bob", two);

        StoredRoom again = createRoom("r_d2", "Bob, Ada", RoomKind.DIRECT, "u_ada u_bob", two);

        assertThat(first.id()).isEqualTo(new RoomId("r_d1"));
        assertThat(again.id()).as("the existing room").isEqualTo(first.id());
        assertThat(again.name()).isEqualTo("Ada, Bob");
        assertThat(again.kind()).isEqualTo(RoomKind.DIRECT);
        assertThat(again.members()).containsExactly(two);
        assertThat(await(store.rooms())).extracting(StoredRoom::id).containsExactly(first.id());
    }

    @Test
    void members_keep_their_place_when_their_role_changes_and_leave_with_no_role() throws Exception {
        addPerson(ADA, "ada", "Ada", true);
        addPerson(BOB, "bob", "Bob", false);
        addPerson(EVE, "eve", "Eve", false);
        RoomId board = createRoom("r_p", "board", RoomKind.PRIVATE, null, member(ADA, "Ada", Role.OWNER)).id();

        await(store.setMember(board, BOB, Role.MEMBER, ADA, 2_000));
        await(store.setMember(board, EVE, Role.MEMBER, ADA, 3_000));
        await(store.setMember(board, BOB, Role.MODERATOR, ADA, 4_000));
        assertThat(room(board).members()).containsExactly(
                member(ADA, "Ada", Role.OWNER), member(BOB, "Bob", Role.MODERATOR), member(EVE, "Eve", Role.MEMBER));

        await(store.setMember(board, BOB, null, null, 5_000));
        assertThat(room(board).members()).containsExactly(member(ADA, "Ada", Role.OWNER), member(EVE, "Eve", Role.MEMBER));
        assertThat(room(board).kind()).isEqualTo(RoomKind.PRIVATE);
    }

    @Test
    void a_ban_takes_membership_away_and_refuses_it_until_lifted() throws Exception {
        addPerson(ADA, "ada", "Ada", true);
        addPerson(EVE, "eve", "Eve", false);
        RoomId board = createRoom("r_p", "board", RoomKind.PRIVATE, null, member(ADA, "Ada", Role.OWNER)).id();
        await(store.setMember(board, EVE, Role.MEMBER, ADA, 2_000));

        await(store.ban(board, EVE, ADA, 3_000));
        await(store.ban(board, EVE, ADA, 3_500));

        assertThat(room(board).members()).extracting(m -> m.user().id()).containsExactly(ADA);
        assertThat(room(board).banned()).containsExactly(new UserRef(EVE, "Eve"));
        assertThatThrownBy(() -> await(store.setMember(board, EVE, Role.MEMBER, ADA, 4_000)))
                .hasCauseInstanceOf(ChatStore.BannedException.class);
        assertThat(room(board).members()).extracting(m -> m.user().id()).containsExactly(ADA);

        await(store.unban(board, EVE));
        assertThat(room(board).banned()).isEmpty();
        await(store.setMember(board, EVE, Role.MEMBER, ADA, 5_000));
        assertThat(room(board).members()).extracting(m -> m.user().id()).containsExactly(ADA, EVE);
    }

    @Test
    void deleting_a_room_returns_its_files_and_takes_only_its_own_messages() throws Exception {
        createRoom("r_x", "x");
        createRoom("r_y", "y");
        RoomId x = new RoomId("r_x");
        RoomId y = new RoomId("r_y");
        append(x, ADA, "x1", "a file", new SharedFile("f_x", "x.txt", 3, "text/plain", "ab", false));
        append(y, ADA, "y1", "a file", new SharedFile("f_y", "y.txt", 3, "text/plain", "cd", false));
        for (int i = 2; i <= 5; i++) {
            append(x, ADA, "x" + i, "to x");
            append(y, ADA, "y" + i, "to y");
        }
        CompletableFuture<AppendOutcome> reacted = new CompletableFuture<>();
        store.append(new NewMessage(x, BOB, "Bob", "rx", "", 3_000, null, ChatMessage.Kind.REACTION, 2, "👍", false), reacted::complete);
        assertThat(await(reacted)).isInstanceOf(AppendOutcome.Stored.class);

        assertThat(await(store.deleteRoom(x))).containsExactly("f_x");

        assertThat(await(store.rooms())).extracting(StoredRoom::id).containsExactly(y);
        assertThat(await(store.latest(x, 10))).isEmpty();
        assertThat(await(store.file("f_x"))).isNull();
        assertThat(seqs(await(store.after(y, 0, 100)))).isEqualTo(range(1, 5));
        assertThat(await(store.file("f_y"))).isNotNull();
        assertThat(append(y, ADA, "after", "the next write works too").message().seq()).isEqualTo(6);
    }

    // ---- search ---------------------------------------------------------------------------------

    private List<String> search(String query, RoomId... rooms) throws Exception {
        return texts(await(store.search(new Search(Search.words(query), Set.of(rooms), null, 50))));
    }

    private static List<String> texts(List<ChatMessage> found) {
        return found.stream().map(ChatMessage::text).toList();
    }

    @Test
    void search_finds_parts_of_words_ignoring_case_newest_first() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "The Tokyo Tower at night");
        append(GENERAL, BOB, "c2", "tokyo by day");
        append(GENERAL, ADA, "c3", "Osaka castle");

        assertThat(search("TOKY", GENERAL)).containsExactly("tokyo by day", "The Tokyo Tower at night");
        assertThat(search("owe", GENERAL)).containsExactly("The Tokyo Tower at night");
        assertThat(search("kyoto", GENERAL)).isEmpty();
        ChatMessage found = await(store.search(new Search(List.of("castle"), Set.of(GENERAL), null, 10))).getFirst();
        assertThat(found).as("read as history reads it").isEqualTo(entry(3));
    }

    @Test
    void search_finds_cjk_text_by_any_three_characters_of_it() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "東京タワーに行きました");
        append(GENERAL, ADA, "c2", "京都の寺");

        assertThat(search("京タワ", GENERAL)).containsExactly("東京タワーに行きました");
        assertThat(search("タワー", GENERAL)).containsExactly("東京タワーに行きました");
        assertThat(search("京都の", GENERAL)).containsExactly("京都の寺");
    }

    @Test
    void every_word_must_be_held_and_a_short_word_narrows_down_what_the_long_ones_find() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "we go home at five");
        append(GENERAL, ADA, "c2", "home alone");
        append(GENERAL, ADA, "c3", "five alive");

        assertThat(search("home five", GENERAL)).containsExactly("we go home at five");
        assertThat(search("alone home", GENERAL)).containsExactly("home alone");
        assertThat(search("home GO", GENERAL)).containsExactly("we go home at five");
        assertThat(search("100% home", GENERAL)).as("LIKE's wildcards are literal").isEmpty();
        assertThatThrownBy(() -> new Search(List.of("go", "at"), Set.of(GENERAL), null, 10))
                .as("a trigram index cannot look up a search without a word of three characters")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void an_edited_message_is_found_as_it_reads_now_and_never_by_the_text_it_replaced() throws Exception {
        createRoom("r_general", "General");
        append(GENERAL, ADA, "c1", "meet at the old harbour");
        append(GENERAL, ADA, "c2", "bring a harbour map");
        edit(ADA, "e1", 1, "meet at the new station");

        assertThat(search("harbour", GENERAL)).containsExactly("bring a harbour map");
        assertThat(search("old har", GENERAL)).isEmpty();
        assertThat(search("station", GENERAL)).as("the message itself, not the edit entry").containsExactly("meet at the new station");
        List<ChatMessage> found = await(store.search(new Search(List.of("station"), Set.of(GENERAL), null, 10)));
        assertThat(found.getFirst().seq()).isEqualTo(1);
        assertThat(found.getFirst().edited()).isEqualTo(3_000);
        assertThat(search("bring", GENERAL)).as("an edit keeps a message's place").containsExactly("bring a harbour map");
        assertThat(texts(await(store.search(new Search(List.of("meet"), Set.of(GENERAL), new Search.Position(GENERAL, 2), 10)))))
                .as("stored before message 2, edited after it").containsExactly("meet at the new station");
    }

    @Test
    void a_deleted_message_and_the_messages_of_a_deleted_room_are_not_found() throws Exception {
        createRoom("r_general", "General");
        createRoom("r_other", "Other");
        RoomId other = new RoomId("r_other");
        append(GENERAL, ADA, "c1", "the secret plan");
        edit(ADA, "e1", 1, "the secret plan, revised");
        append(other, ADA, "o1", "another secret");

        changed(ADA, "d1", ChatMessage.Kind.DELETE, 1, "", null, false);
        assertThat(search("secret", GENERAL, other)).containsExactly("another secret");
        assertThat(search("plan", GENERAL, other)).isEmpty();

        await(store.deleteRoom(other));
        assertThat(search("secret", GENERAL, other)).isEmpty();
    }

    @Test
    void search_reads_only_its_rooms() throws Exception {
        createRoom("r_general", "General");
        RoomId board = createRoom("r_board", "Board", RoomKind.PRIVATE, null, member(ADA, "Ada", Role.OWNER)).id();
        append(GENERAL, BOB, "c1", "the budget is fine");
        append(board, ADA, "b1", "the budget is secret");

        assertThat(search("budget", GENERAL)).containsExactly("the budget is fine");
        assertThat(search("budget", board, GENERAL)).containsExactly("the budget is secret", "the budget is fine");
        assertThat(search("budget")).isEmpty();
    }

    @Test
    void pages_of_results_continue_before_the_last_one_across_rooms() throws Exception {
        createRoom("r_general", "General");
        createRoom("r_other", "Other");
        RoomId other = new RoomId("r_other");
        for (int i = 1; i <= 5; i++) append(i % 2 == 0 ? other : GENERAL, ADA, "c" + i, "note " + i);

        List<ChatMessage> first = await(store.search(new Search(List.of("note"), Set.of(GENERAL, other), null, 2)));
        ChatMessage last = first.getLast();
        List<ChatMessage> second = await(store.search(new Search(List.of("note"), Set.of(GENERAL, other),
                new Search.Position(last.room(), last.seq()), 2)));
        List<ChatMessage> third = await(store.search(new Search(List.of("note"), Set.of(GENERAL, other),
                new Search.Position(second.getLast().room(), second.getLast().seq()), 2)));

        assertThat(texts(first)).containsExactly("note 5", "note 4");
        assertThat(texts(second)).containsExactly("note 3", "note 2");
        assertThat(texts(third)).containsExactly("note 1");
    }

    // ---- files ----------------------------------------------------------------------------------

    @Test
    void a_file_is_stored_with_its_message_once_and_marked_stored_when_its_bytes_came() throws Exception {
        createRoom("r_general", "General");
        SharedFile declared = new SharedFile("f_1", "notes.txt", 42, "text/plain", "0a1b", false);
        AppendOutcome.Stored sent = append(GENERAL, ADA, "c1", "see the notes", declared);
        AppendOutcome.Stored resent = append(GENERAL, ADA, "c1", "see the notes",
                new SharedFile("f_2", "notes.txt", 42, "text/plain", "0a1b", false));

        assertThat(sent.message().file()).isEqualTo(declared);
        assertThat(resent.duplicate()).isTrue();
        assertThat(resent.message().file()).as("the original file").isEqualTo(declared);
        assertThat(await(store.file("f_2"))).as("a resend stores no second file").isNull();
        assertThat(await(store.file("f_1"))).isEqualTo(new RoomFile(GENERAL, ADA, declared));

        assertThat(await(store.fileStored("f_1", 3_000))).isTrue();
        assertThat(await(store.fileStored("f_1", 4_000))).as("already stored").isFalse();
        assertThat(await(store.fileStored("f_nowhere", 4_000))).as("unknown").isFalse();

        SharedFile stored = new SharedFile("f_1", "notes.txt", 42, "text/plain", "0a1b", true);
        assertThat(await(store.file("f_1")).meta()).isEqualTo(stored);
        assertThat(await(store.latest(GENERAL, 1)).getFirst().file()).isEqualTo(stored);
        assertThat(await(store.file("f_nowhere"))).isNull();
    }

    @Test
    void a_files_preview_is_kept_with_it_and_goes_with_it() throws Exception {
        createRoom("r_general", "General");
        SharedFile.Preview preview = new SharedFile.Preview("data:image/webp;base64,UklGRgAAAABXRUJQ", 4032, 3024);
        SharedFile declared = new SharedFile("f_1", "cat.jpg", 42, "image/jpeg", "0a1b", false, preview);
        append(GENERAL, ADA, "c1", "", declared);

        assertThat(await(store.file("f_1")).meta().preview()).isEqualTo(preview);
        assertThat(await(store.latest(GENERAL, 1)).getFirst().file().preview()).isEqualTo(preview);
        assertThat(await(store.after(GENERAL, 0, 1)).getFirst().file().preview()).isEqualTo(preview);

        changed(ADA, "d1", ChatMessage.Kind.DELETE, 1, "", null, false);
        assertThat(entry(1).file()).as("deleted with its message").isNull();
    }

    // ---- people ---------------------------------------------------------------------------------

    @Test
    void people_are_found_by_the_start_of_their_username_or_of_a_word_of_their_name_by_name() throws Exception {
        addPerson(ADA, "ada", "Ada Lovelace", true);
        addPerson(BOB, "bob", "Bob Love", false);
        addPerson(EVE, "lovely", "Eve", false);
        addPerson(new UserId("u_zed"), "zed", "Zed 100%", false);

        assertThat(await(store.person(ADA))).isEqualTo(new Person(ADA, "ada", "Ada Lovelace", true));
        assertThat(await(store.person(BOB))).isEqualTo(new Person(BOB, "bob", "Bob Love", false));
        assertThat(await(store.person(new UserId("u_nobody")))).isNull();

        assertThat(await(store.findPeople("LOVE", 10))).extracting(Person::id).containsExactly(ADA, BOB, EVE);
        assertThat(await(store.findPeople("love", 2))).extracting(Person::id).containsExactly(ADA, BOB);
        assertThat(await(store.findPeople("ada", 10))).extracting(Person::id).containsExactly(ADA);
        assertThat(await(store.findPeople("velace", 10))).isEmpty();
        assertThat(await(store.findPeople("100%", 10))).extracting(Person::username).containsExactly("zed");
        assertThat(await(store.findPeople("%", 10))).as("% is a character, not a wildcard").isEmpty();
    }
}
