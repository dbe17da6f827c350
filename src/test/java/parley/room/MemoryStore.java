package parley.room;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An in-memory {@link ChatStore} whose timing the test controls. It keeps the port's contract
 * ({@code ChatStoreContract} checks it, as it checks the SQL store); its outcomes are reported under its
 * lock rather than on a thread of its own, which keeps them one at a time and in commit order.
 *
 * <p>Appends are committed (numbered and readable) when {@link #append} is called. Their outcome is
 * reported at once, on the calling thread and under the store's lock, so outcomes are reported in commit
 * order even when several threads append; or, after {@link #holdOutcomes()}, only when the test calls
 * {@link #releaseOutcomes()}: that is the window a real store has between its commit and its report. After
 * {@link #failAppends()} nothing is stored and the outcome is {@link AppendOutcome.Failed}, until
 * {@link #appendsWork()}.
 *
 * <p>Catch-up reads ({@link #after}) complete at once with what is stored; or, after {@link #holdReads()},
 * the test completes each {@link PendingRead} by hand, with what was stored when the read was asked for or
 * with what is stored now.
 */
public final class MemoryStore implements ChatStore {

    /** A catch-up read the test completes by hand. */
    final class PendingRead {
        final RoomId roomId;
        final long afterSeq;
        final int limit;
        private final List<ChatMessage> atRequest;
        private final CompletableFuture<List<ChatMessage>> future = new CompletableFuture<>();

        private PendingRead(RoomId roomId, long afterSeq, int limit) {
            this.roomId = roomId;
            this.afterSeq = afterSeq;
            this.limit = limit;
            this.atRequest = read(roomId, afterSeq, limit);
        }

        /** Completes with the messages that were stored when the read was asked for. */
        void completeAsOfRequest() {
            future.complete(atRequest);
        }

        /** Completes with the messages stored now, as a read that ran late would see them. */
        void completeWithCurrent() {
            future.complete(read(roomId, afterSeq, limit));
        }

        void fail() {
            future.completeExceptionally(new IllegalStateException("disk on fire"));
        }
    }

    private enum AppendMode { REPORT_AT_ONCE, HOLD_OUTCOMES, FAIL }

    private final Map<RoomId, StoredRoom> rooms = new LinkedHashMap<>();
    private final Map<RoomId, List<ChatMessage>> messages = new LinkedHashMap<>();
    private final Map<String, RoomId> directs = new HashMap<>();
    private final Map<UserId, Person> people = new LinkedHashMap<>();
    private final Map<String, RoomFile> files = new HashMap<>();
    /** Each room's standing reactions, in the order they were made. */
    private final Map<RoomId, List<Reacted>> reactions = new HashMap<>();

    private record Reacted(long seq, String emoji, UserRef by) {}
    /** Every message, in the order it was stored, across rooms: the order of search results. */
    private final List<Search.Position> stored = new ArrayList<>();
    private final List<NewMessage> appendCalls = new ArrayList<>();
    private final List<Runnable> heldOutcomes = new ArrayList<>();
    private final List<PendingRead> pendingReads = new ArrayList<>();
    private final List<Integer> pageLimits = new ArrayList<>();
    private AppendMode appendMode = AppendMode.REPORT_AT_ONCE;
    private boolean holdReads;

    // ---- set-up and control ---------------------------------------------------------------------

    public synchronized RoomId addRoom(String id, String name) {
        RoomId room = new RoomId(id);
        rooms.put(room, new StoredRoom(room, name, "about " + name, 0));
        messages.put(room, new ArrayList<>());
        return room;
    }

    /** An account others may find and invite. */
    public synchronized void addPerson(String userId, String name) {
        addPerson(new UserId(userId), name.toLowerCase(Locale.ROOT), name, false);
    }

    public synchronized void addPerson(UserId id, String username, String name, boolean admin) {
        people.put(id, new Person(id, username, name, admin));
    }

    synchronized void holdOutcomes() {
        appendMode = AppendMode.HOLD_OUTCOMES;
    }

    /** Reports the held outcomes in commit order; later appends are reported at once again. */
    void releaseOutcomes() {
        List<Runnable> held;
        synchronized (this) {
            held = List.copyOf(heldOutcomes);
            heldOutcomes.clear();
            appendMode = AppendMode.REPORT_AT_ONCE;
        }
        held.forEach(Runnable::run);
    }

    public synchronized void failAppends() {
        appendMode = AppendMode.FAIL;
    }

    public synchronized void appendsWork() {
        appendMode = AppendMode.REPORT_AT_ONCE;
    }

    synchronized void holdReads() {
        holdReads = true;
    }

    synchronized List<PendingRead> pendingReads() {
        return List.copyOf(pendingReads);
    }

    /** Every message handed to {@link #append}, stored or not. */
    synchronized List<NewMessage> appendCalls() {
        return List.copyOf(appendCalls);
    }

    synchronized List<ChatMessage> stored(RoomId room) {
        return List.copyOf(messages.get(room));
    }

    /** The {@code limit} of every {@link #latest} and {@link #before} call, in order. */
    synchronized List<Integer> pageLimits() {
        return List.copyOf(pageLimits);
    }

    // ---- ChatStore ------------------------------------------------------------------------------

    @Override
    public synchronized void append(NewMessage m, Consumer<AppendOutcome> onDurable) {
        appendCalls.add(m);
        if (appendMode == AppendMode.FAIL) {
            onDurable.accept(new AppendOutcome.Failed(new IllegalStateException("disk full")));
            return;
        }
        List<ChatMessage> list = messages.get(m.room());
        if (list == null) {
            onDurable.accept(new AppendOutcome.Failed(new IllegalStateException("no such room: " + m.room())));
            return;
        }
        ChatMessage original = list.stream()
                .filter(s -> s.senderId().equals(m.sender()) && s.clientId().equals(m.clientId()))
                .findFirst().orElse(null);
        AppendOutcome outcome = original != null
                ? new AppendOutcome.Stored(current(original), true)
                : m.kind() == ChatMessage.Kind.MESSAGE ? post(m, list)
                : change(m, list);
        if (appendMode == AppendMode.HOLD_OUTCOMES) {
            heldOutcomes.add(() -> onDurable.accept(outcome));
        } else {
            onDurable.accept(outcome);
        }
    }

    /** Checks a change against its target, as the SQL store's writer does, and applies it with its entry. */
    private AppendOutcome change(NewMessage m, List<ChatMessage> list) {
        ChatMessage target = m.target() >= 1 && m.target() <= list.size() ? list.get((int) m.target() - 1) : null;
        RoomException refusal = ChatStore.refusal(m, target == null ? null : target.kind(), target != null && target.isDeleted(),
                target != null && target.senderId().equals(m.sender()));
        if (refusal != null) return new AppendOutcome.Refused(refusal);
        UserRef who = new UserRef(m.sender(), m.senderName());
        List<Reacted> reacted = reactions.computeIfAbsent(m.room(), r -> new ArrayList<>());
        Boolean added = null;
        String removedFile = null;
        switch (m.kind()) {
            case EDIT -> target = with(target, m.text(), target.file(), m.ts(), null);
            case DELETE -> {
                removedFile = target.file() == null ? null : target.file().id();
                if (removedFile != null) files.remove(removedFile);
                reacted.removeIf(r -> r.seq() == m.target());
                target = with(target, "", null, target.edited(), new ChatMessage.Deletion(who, m.ts()));
            }
            case REACTION -> {
                added = !reacted.removeIf(r -> r.seq() == m.target() && r.emoji().equals(m.emoji()) && r.by().id().equals(m.sender()));
                if (added) reacted.add(new Reacted(m.target(), m.emoji(), who));
            }
            case MESSAGE -> throw new IllegalArgumentException("not a change");
        }
        list.set((int) m.target() - 1, target);
        ChatMessage entry = new ChatMessage(m.room(), list.size() + 1, m.clientId(), m.sender(), m.senderName(),
                m.kind() == ChatMessage.Kind.EDIT ? m.text() : "", m.ts(), null, m.kind(), m.target(), m.emoji(), added,
                null, null, List.of());
        add(entry, list);
        return new AppendOutcome.Stored(entry, false, removedFile);
    }

    private static ChatMessage with(ChatMessage m, String text, SharedFile file, Long edited, ChatMessage.Deletion deleted) {
        return new ChatMessage(m.room(), m.seq(), m.clientId(), m.senderId(), m.senderName(), text, m.ts(), file,
                m.kind(), m.target(), m.emoji(), m.added(), edited, deleted, m.reactions(), m.reply(),
                deleted == null ? m.mentions() : Mentions.NONE);
    }

    /** The reactions standing on message {@code seq}: emojis in the order of their earliest standing reaction, people in turn. */
    private List<ChatMessage.Reaction> reactionsOn(RoomId room, long seq) {
        Map<String, List<UserRef>> byEmoji = new LinkedHashMap<>();
        for (Reacted r : reactions.getOrDefault(room, List.of())) {
            if (r.seq() == seq) byEmoji.computeIfAbsent(r.emoji(), e -> new ArrayList<>()).add(r.by());
        }
        return byEmoji.entrySet().stream().map(e -> new ChatMessage.Reaction(e.getKey(), e.getValue())).toList();
    }

    /** Stores a message, or refuses it when the message it answers may not be answered (as the SQL store's writer does). */
    private AppendOutcome post(NewMessage m, List<ChatMessage> list) {
        ChatMessage target = m.replyTo() >= 1 && m.replyTo() <= list.size() ? list.get((int) m.replyTo() - 1) : null;
        if (m.replyTo() > 0) {
            RoomException refusal = ChatStore.replyRefusal(m.replyTo(), target == null ? null : target.kind(),
                    target != null && target.isDeleted());
            if (refusal != null) return new AppendOutcome.Refused(refusal);
        }
        List<Mentions.Mention> named = new ArrayList<>();
        for (String username : m.mentions().usernames()) {
            people.values().stream().filter(p -> p.username().equalsIgnoreCase(username) && m.mentions().allows(p.id()))
                    .filter(p -> named.stream().noneMatch(n -> n.user().equals(p.id())))
                    .findFirst().ifPresent(p -> named.add(new Mentions.Mention(p.id(), p.username())));
        }
        ChatMessage s = new ChatMessage(m.room(), list.size() + 1, m.clientId(), m.sender(), m.senderName(),
                m.text(), m.ts(), m.file(), ChatMessage.Kind.MESSAGE, 0, null, null, null, null, List.of(),
                target == null ? null : quote(target), new Mentions(named, m.mentions().room()));
        add(s, list);
        stored.add(new Search.Position(s.room(), s.seq()));
        if (m.file() != null) files.put(m.file().id(), new RoomFile(m.room(), m.sender(), m.file()));
        return new AppendOutcome.Stored(s, false);
    }

    private static ChatMessage.Reply quote(ChatMessage target) {
        return new ChatMessage.Reply(target.seq(), new UserRef(target.senderId(), target.senderName()), target.text(),
                target.file() == null ? null : target.file().name(), target.isDeleted());
    }

    private void add(ChatMessage s, List<ChatMessage> list) {
        list.add(s);
        StoredRoom r = rooms.get(s.room());
        rooms.put(r.id(), new StoredRoom(r.id(), r.name(), r.topic(), s.seq(), r.kind(), r.members(), r.banned()));
    }

    /**
     * The entry as a read gives it now: a message with its file as it is now (its bytes may have come
     * since), an edit with its target's text as it is now.
     */
    private ChatMessage current(ChatMessage m) {
        if (m.kind() == ChatMessage.Kind.EDIT) {
            String now = messages.get(m.room()).get((int) m.target() - 1).text();
            return new ChatMessage(m.room(), m.seq(), m.clientId(), m.senderId(), m.senderName(), now, m.ts(), null,
                    m.kind(), m.target(), m.emoji(), m.added(), m.edited(), m.deleted(), m.reactions());
        }
        if (m.kind() != ChatMessage.Kind.MESSAGE) return m;
        return new ChatMessage(m.room(), m.seq(), m.clientId(), m.senderId(), m.senderName(), m.text(), m.ts(),
                m.file() == null ? null : files.get(m.file().id()).meta(), m.kind(), m.target(), m.emoji(), m.added(),
                m.edited(), m.deleted(), reactionsOn(m.room(), m.seq()),
                m.reply() == null ? null : quote(messages.get(m.room()).get((int) m.reply().seq() - 1)), m.mentions());
    }

    private List<ChatMessage> messagesOf(RoomId room) {
        return messages.getOrDefault(room, List.of()).stream().map(this::current).toList();
    }

    @Override
    public synchronized CompletableFuture<List<ChatMessage>> latest(RoomId roomId, int limit) {
        return before(roomId, Long.MAX_VALUE, limit);
    }

    @Override
    public synchronized CompletableFuture<List<ChatMessage>> before(RoomId roomId, long beforeSeq, int limit) {
        pageLimits.add(limit);
        List<ChatMessage> older = messagesOf(roomId).stream().filter(s -> s.seq() < beforeSeq).toList();
        return CompletableFuture.completedFuture(List.copyOf(older.subList(Math.max(0, older.size() - limit), older.size())));
    }

    @Override
    public synchronized CompletableFuture<List<ChatMessage>> after(RoomId roomId, long afterSeq, int limit) {
        if (!holdReads) return CompletableFuture.completedFuture(read(roomId, afterSeq, limit));
        PendingRead read = new PendingRead(roomId, afterSeq, limit);
        pendingReads.add(read);
        return read.future;
    }

    private synchronized List<ChatMessage> read(RoomId roomId, long afterSeq, int limit) {
        return messagesOf(roomId).stream().filter(s -> s.seq() > afterSeq).limit(limit).toList();
    }

    @Override
    public synchronized CompletableFuture<List<ChatMessage>> search(Search search) {
        int from = search.before() == null ? stored.size() : stored.indexOf(search.before());
        List<ChatMessage> found = new ArrayList<>();
        for (int i = from - 1; i >= 0 && found.size() < search.limit(); i--) {
            Search.Position at = stored.get(i);
            if (!search.rooms().contains(at.room())) continue;
            ChatMessage m = current(messages.get(at.room()).get((int) at.seq() - 1));
            if (!m.isDeleted() && Search.holdsAll(m.text(), search.words())) found.add(m);
        }
        return CompletableFuture.completedFuture(found);
    }

    @Override
    public synchronized CompletableFuture<StoredRoom> createRoom(NewRoom room) {
        if (room.directKey() != null && directs.containsKey(room.directKey())) {
            return CompletableFuture.completedFuture(rooms.get(directs.get(room.directKey())));
        }
        String key = room.name().toLowerCase(Locale.ROOT);
        if (room.kind() == RoomKind.PUBLIC && rooms.values().stream()
                .anyMatch(r -> r.kind() == RoomKind.PUBLIC && r.name().toLowerCase(Locale.ROOT).equals(key))) {
            return CompletableFuture.failedFuture(new NameTakenException(room.name()));
        }
        StoredRoom stored = new StoredRoom(room.id(), room.name(), room.topic(), 0, room.kind(), room.members(), List.of());
        rooms.put(room.id(), stored);
        if (room.directKey() != null) directs.put(room.directKey(), room.id());
        messages.put(room.id(), new ArrayList<>());
        return CompletableFuture.completedFuture(stored);
    }

    /** By name ignoring case, as the SQL store lists them. */
    @Override
    public synchronized CompletableFuture<List<StoredRoom>> rooms() {
        return CompletableFuture.completedFuture(rooms.values().stream()
                .sorted(Comparator.comparing((StoredRoom r) -> r.name().toLowerCase(Locale.ROOT)).thenComparing(r -> r.id().value()))
                .toList());
    }

    /** A member keeps their place when their role changes; a new one comes last. */
    @Override
    public synchronized CompletableFuture<Void> setMember(RoomId roomId, UserId userId, Role role, UserId by, long ts) {
        StoredRoom r = rooms.get(roomId);
        if (role != null && r.banned().stream().anyMatch(b -> b.id().equals(userId))) {
            return CompletableFuture.failedFuture(new BannedException(userId));
        }
        List<Membership> members = new ArrayList<>(r.members());
        int at = members.stream().map(m -> m.user().id()).toList().indexOf(userId);
        if (role == null && at >= 0) members.remove(at);
        else if (role != null && at >= 0) members.set(at, new Membership(members.get(at).user(), role));
        else if (role != null) members.add(new Membership(ref(userId), role));
        rooms.put(roomId, new StoredRoom(r.id(), r.name(), r.topic(), r.lastSeq(), r.kind(), members, r.banned()));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> ban(RoomId roomId, UserId userId, UserId by, long ts) {
        setMember(roomId, userId, null, by, ts);
        StoredRoom r = rooms.get(roomId);
        if (r.banned().stream().anyMatch(b -> b.id().equals(userId))) return CompletableFuture.completedFuture(null);
        List<UserRef> banned = new ArrayList<>(r.banned());
        banned.add(ref(userId));
        rooms.put(roomId, new StoredRoom(r.id(), r.name(), r.topic(), r.lastSeq(), r.kind(), r.members(), banned));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> unban(RoomId roomId, UserId userId) {
        StoredRoom r = rooms.get(roomId);
        rooms.put(roomId, new StoredRoom(r.id(), r.name(), r.topic(), r.lastSeq(), r.kind(), r.members(),
                r.banned().stream().filter(b -> !b.id().equals(userId)).toList()));
        return CompletableFuture.completedFuture(null);
    }

    /** The person as a room names them: by their account's name, or by their id when they have none. */
    private UserRef ref(UserId user) {
        return new UserRef(user, people.containsKey(user) ? people.get(user).name() : user.value());
    }

    @Override
    public synchronized CompletableFuture<List<String>> deleteRoom(RoomId roomId) {
        rooms.remove(roomId);
        messages.remove(roomId);
        stored.removeIf(p -> p.room().equals(roomId));
        reactions.remove(roomId);
        directs.values().remove(roomId);
        List<String> gone = files.values().stream().filter(f -> f.room().equals(roomId)).map(f -> f.meta().id()).toList();
        gone.forEach(files::remove);
        return CompletableFuture.completedFuture(gone);
    }

    @Override
    public synchronized CompletableFuture<Person> person(UserId userId) {
        return CompletableFuture.completedFuture(people.get(userId));
    }

    @Override
    public synchronized CompletableFuture<List<Person>> findPeople(String query, int limit) {
        String q = query.toLowerCase(Locale.ROOT);
        return CompletableFuture.completedFuture(people.values().stream()
                .filter(p -> p.username().toLowerCase(Locale.ROOT).startsWith(q)
                        || Arrays.stream(p.name().toLowerCase(Locale.ROOT).split(" ")).anyMatch(w -> w.startsWith(q)))
                .sorted(Comparator.comparing((Person p) -> p.name().toLowerCase(Locale.ROOT))
                        .thenComparing(p -> p.username().toLowerCase(Locale.ROOT)))
                .limit(limit).toList());
    }

    @Override
    public synchronized CompletableFuture<RoomFile> file(String fileId) {
        return CompletableFuture.completedFuture(files.get(fileId));
    }

    @Override
    public synchronized CompletableFuture<Boolean> fileStored(String fileId, long ts) {
        RoomFile f = files.get(fileId);
        if (f == null || f.meta().stored()) return CompletableFuture.completedFuture(false);
        SharedFile m = f.meta();
        files.put(fileId, new RoomFile(f.room(), f.uploader(), new SharedFile(m.id(), m.name(), m.size(), m.type(), m.sha256(), true, m.preview())));
        return CompletableFuture.completedFuture(true);
    }

    // ---- read state: markers and levels kept as the SQL store keeps them --------------------------------

    private final Map<List<Object>, Long> markers = new HashMap<>();
    private final Map<List<Object>, ReadState.Notify> levels = new HashMap<>();
    private final List<List<ReadState.Marker>> markerWrites = new ArrayList<>();

    /** Every {@link #saveReadMarkers} call, in order. */
    synchronized List<List<ReadState.Marker>> markerWrites() {
        return List.copyOf(markerWrites);
    }

    @Override
    public synchronized CompletableFuture<List<ReadState>> readStates(UserId user, Map<RoomId, Long> atLeast, int countMax) {
        List<ReadState> out = new ArrayList<>();
        for (Map.Entry<RoomId, Long> e : atLeast.entrySet()) {
            StoredRoom room = rooms.get(e.getKey());
            if (room == null) continue;
            long read = markers.getOrDefault(List.of(user, room.id()), 0L);
            long after = Math.max(read, e.getValue() == null ? 0 : e.getValue());
            List<ChatMessage> unread = messagesOf(room.id()).stream()
                    .filter(m -> m.seq() > after && m.kind() == ChatMessage.Kind.MESSAGE && !m.isDeleted() && !m.senderId().equals(user))
                    .toList();
            unread = unread.subList(Math.max(0, unread.size() - countMax), unread.size());
            int mentions = (int) unread.stream().filter(m -> m.mentions().mention(user)).count();
            out.add(new ReadState(room.id(), read, room.lastSeq(), unread.size(), mentions, levels.get(List.of(user, room.id()))));
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletableFuture<Void> saveReadMarkers(List<ReadState.Marker> batch) {
        markerWrites.add(List.copyOf(batch));
        for (ReadState.Marker m : batch) {
            if (rooms.containsKey(m.room())) markers.merge(List.of(m.user(), m.room()), m.seq(), Math::max);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> setNotify(UserId user, RoomId room, ReadState.Notify level) {
        levels.put(List.of(user, room), level);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> healthy() {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public void close() {}
}
