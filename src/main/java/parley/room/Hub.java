package parley.room;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import parley.bus.Bus;
import parley.room.ChatStore.AppendOutcome;

/**
 * The rooms of this node and the people in them: the domain's entry point.
 *
 * <p>A message goes: {@link #send} checks the sender is joined, the store makes it durable and numbers
 * it, the sender is told ({@link SendResult}), then the message is published on the room's bus channel,
 * and every node's {@link Room} delivers it to its members in seq order. Presence, typing, the call and
 * its signals take the same bus path but are never stored.
 *
 * <p>Requests check what this node knows (the room, the person's role, the call) and publish a
 * {@link Fact}; every node, this one too, applies each fact as the bus delivers it ({@link #onFact}). So
 * whatever changes a room changes it on every node the same way, in the order of the room's channel.
 */
public final class Hub implements AutoCloseable {

    /** Limits the hub enforces; each is a setting (see the README). */
    public record Limits(int maxTextChars, int historyPageDefault, int historyPageMax, int catchupMax, int callMax,
                         int maxRoomsPerUser, java.time.Duration readMarkerDelay, int unreadCountMax,
                         int searchPageMax, int searchMaxChars, int searchesPerSecond) {
        public static final int DEFAULT_MAX_ROOMS_PER_USER = 100;
        public static final java.time.Duration DEFAULT_READ_MARKER_DELAY = java.time.Duration.ofSeconds(1);
        public static final int DEFAULT_UNREAD_COUNT_MAX = 999;
        public static final int DEFAULT_SEARCH_PAGE_MAX = 50;
        public static final int DEFAULT_SEARCH_MAX_CHARS = 200;
        public static final int DEFAULT_SEARCHES_PER_SECOND = 5;

        public Limits(int maxTextChars, int historyPageDefault, int historyPageMax, int catchupMax, int callMax) {
            this(maxTextChars, historyPageDefault, historyPageMax, catchupMax, callMax, DEFAULT_MAX_ROOMS_PER_USER);
        }

        public Limits(int maxTextChars, int historyPageDefault, int historyPageMax, int catchupMax, int callMax, int maxRoomsPerUser) {
            this(maxTextChars, historyPageDefault, historyPageMax, catchupMax, callMax, maxRoomsPerUser,
                    DEFAULT_READ_MARKER_DELAY, DEFAULT_UNREAD_COUNT_MAX, DEFAULT_SEARCH_PAGE_MAX, DEFAULT_SEARCH_MAX_CHARS,
                    DEFAULT_SEARCHES_PER_SECOND);
        }
    }

    /** A search page holds this many results when the request names no limit (at most search-page-max). */
    public static final int SEARCH_PAGE_DEFAULT = 20;

    /** At most this many people answer a {@link #findPeople}. */
    public static final int FOUND_MAX = 20;

    /** What became of a {@link #send}. */
    public sealed interface SendResult {
        /** {@code removedFile}: the file a deletion took from its message, whose bytes are the caller's to delete; else null. */
        record Accepted(ChatMessage message, boolean duplicate, String removedFile) implements SendResult {
            public Accepted(ChatMessage message, boolean duplicate) {
                this(message, duplicate, null);
            }
        }

        record Refused(RoomException reason) implements SendResult {}
    }

    public record Page(RoomId room, List<ChatMessage> messages, boolean hasMore) {}

    /** A message a search found, and where the query's words are in its text. */
    public record Found(ChatMessage message, List<Search.Range> matches) {}

    /** A page of search results, newest first; {@code hasMore}: older ones exist. */
    public record SearchPage(List<Found> results, boolean hasMore) {}

    /** The searches a person made in one second of the clock, all their connections together. */
    private record SearchWindow(long second, int count) {}

    private static final String ROOMS_CHANNEL = "rooms";

    private final ChatStore store;
    private final CallLog callLog;
    private final Call.Recorder recorder;
    private final Bus<Fact> bus;
    private final MediaPath mediaPath;
    private final Moderation moderation;
    private final ReadMarkers markers;
    private final Limits limits;
    private final Clock clock;
    private final ConcurrentMap<RoomId, Room> rooms = new ConcurrentHashMap<>();
    private final ConcurrentMap<SessionId, Connection> connected = new ConcurrentHashMap<>();
    /** Direct rooms by their two user ids, sorted and space-separated. */
    private final ConcurrentMap<String, RoomId> directs = new ConcurrentHashMap<>();
    private final List<Bus.Subscription> subscriptions = new ArrayList<>();
    private final ConcurrentMap<RoomId, Bus.Subscription> roomSubscriptions = new ConcurrentHashMap<>();
    private final ConcurrentMap<UserId, SearchWindow> searches = new ConcurrentHashMap<>();

    /**
     * {@code joined} is a copy-on-write set: a client joins a few rooms and seldom, and each of the many idle
     * connections keeps one (80 bytes for one room, against 200 for a concurrent hash set).
     */
    private record Connection(Client client, Set<RoomId> joined) {}

    private Hub(ChatStore store, CallLog callLog, Bus<Fact> bus, Limits limits, Clock clock) {
        this.store = store;
        this.callLog = callLog;
        this.recorder = new Call.Recorder() {
            @Override
            public void joined(String call, RoomId room, ClientInfo who) {
                callLog.joined(call, room, who, clock.millis()).whenComplete(Hub::logRecordFailure);
            }

            @Override
            public void left(String call, SessionId session) {
                callLog.left(call, session, clock.millis()).whenComplete(Hub::logRecordFailure);
            }
        };
        this.bus = bus;
        this.mediaPath = new MeshPath(limits.callMax(), this::publish);
        this.moderation = new Moderation(this, store, clock);
        this.markers = new ReadMarkers(store, limits.readMarkerDelay(), limits.unreadCountMax());
        this.limits = limits;
        this.clock = clock;
    }

    /** A hub that keeps no record of calls. */
    public static Hub open(ChatStore store, Bus<Fact> bus, Limits limits, Clock clock) {
        return open(store, CallLog.NONE, bus, limits, clock);
    }

    /**
     * Loads the rooms from the store and subscribes to their channels; calls are recorded in {@code callLog},
     * where those a stop left open end now.
     */
    public static Hub open(ChatStore store, CallLog callLog, Bus<Fact> bus, Limits limits, Clock clock) {
        Hub hub = new Hub(store, callLog, bus, limits, clock);
        callLog.interrupted(clock.millis()).join();
        hub.subscriptions.add(bus.subscribe(ROOMS_CHANNEL, hub::onFact));
        for (ChatStore.StoredRoom r : store.rooms().join()) hub.addRoom(hub.toRoom(r));
        return hub;
    }

    private Room toRoom(ChatStore.StoredRoom r) {
        return newRoom(r.id(), r.name(), r.topic(), r.lastSeq(), r.kind(), r.members(), r.banned());
    }

    private Room newRoom(RoomId id, String name, String topic, long lastSeq, RoomKind kind, List<Membership> members, List<UserRef> banned) {
        return new Room(id, name, topic, lastSeq, kind, members, banned, mediaPath, recorder, this::backfill, this::publish);
    }

    /** Fills a gap in a room's delivery from the store; a gap wider than a catch-up is not read (the seats reload). */
    private void backfill(RoomId id, long afterSeq, int count, java.util.function.BiConsumer<List<ChatMessage>, Throwable> done) {
        if (count > limits.catchupMax()) {
            done.accept(null, new RoomException(Refusal.UNAVAILABLE, count + " messages missed: more than catchup-max"));
            return;
        }
        store.after(id, afterSeq, count).whenComplete(done::accept);
    }

    private Room addRoom(Room room) {
        Room existing = rooms.putIfAbsent(room.id, room);
        if (existing != null) return existing;
        roomSubscriptions.put(room.id, bus.subscribe(channel(room.id), this::onFact));
        if (room.kind == RoomKind.DIRECT) {
            directs.put(directKey(room.memberships().stream().map(m -> m.user().id()).toList()), room.id);
        }
        return room;
    }

    private static String directKey(List<UserId> two) {
        return two.stream().map(UserId::value).sorted().collect(java.util.stream.Collectors.joining(" "));
    }
    private static String channel(RoomId id) {
        return "room." + id.value();
    }

    public void connect(Client client) {
        connected.put(client.sessionId(), new Connection(client, new CopyOnWriteArraySet<>()));
    }

    /** Leaves every room the client joined, telling the others. */
    public void disconnect(Client client) {
        Connection c = connected.get(client.sessionId());
        // A session that was parked and resumed belongs to its new client now.
        if (c == null || c.client() != client || !connected.remove(client.sessionId(), c)) return;
        for (RoomId id : c.joined()) exit(client, rooms.get(id));
    }

    /**
     * The client's socket dropped. If it is in a call, its session is parked: it keeps its seats in its
     * rooms and calls, and no one is told, until {@link #resume} gives them to a new connection or
     * {@link #expire} ends them. Returns false, changing nothing, when it is in no call.
     */
    public boolean park(Client client) {
        Connection c = connected.get(client.sessionId());
        if (c == null || c.client() != client) return false;
        boolean inCall = c.joined().stream().map(rooms::get).anyMatch(r -> r != null && r.inCall(client.sessionId()));
        if (!inCall) return false;
        Parked parked = new Parked(client);
        if (!connected.replace(client.sessionId(), c, new Connection(parked, c.joined()))) return false;
        for (RoomId id : c.joined()) {
            Room room = rooms.get(id);
            if (room != null) room.replace(parked, null);
        }
        return true;
    }

    /**
     * Gives a parked session to {@code client}, which has its session id, user and name: it is back in
     * its rooms and calls as if it had never left. {@code welcome} runs first, so that the new connection
     * hears of its session before the signals that were kept for it. Returns false when there is no such
     * parked session (it expired, or belongs to someone else); nothing has run then. The old socket may not
     * have been seen to close yet (a network failure can take minutes to show): its session is parked first.
     */
    public boolean resume(Client client, Runnable welcome) {
        Connection c = connected.get(client.sessionId());
        if (c == null || !c.client().userId().equals(client.userId()) || !c.client().name().equals(client.name())) return false;
        if (!(c.client() instanceof Parked) && (c.client() == client || !park(c.client()))) return false;
        c = connected.get(client.sessionId());
        if (c == null || !(c.client() instanceof Parked parked)) return false;
        if (!connected.replace(client.sessionId(), c, new Connection(client, c.joined()))) return false;
        welcome.run();
        parked.takeRoomNews().forEach(client::deliver);
        for (RoomId id : c.joined()) {
            Room room = rooms.get(id);
            if (room != null) room.replace(client, parked);
        }
        return true;
    }

    /**
     * Whether the client holds its session: false once another connection has resumed it (the client's
     * socket was taken for dead, see {@link #resume}), and once the client has disconnected or parked.
     */
    public boolean holds(Client client) {
        Connection c = connected.get(client.sessionId());
        return c != null && c.client() == client;
    }

    /**
     * The grace period of {@code client}'s drop is over: if its session is still parked for that drop, it
     * leaves everything. A session that was resumed since is left as it is, even if its new connection
     * dropped in turn: that drop has a grace period of its own.
     */
    public void expire(Client client) {
        Connection c = connected.get(client.sessionId());
        if (c != null && c.client() instanceof Parked parked && parked.standsFor(client)) disconnect(parked);
    }

    /** Every room, as no one in particular sees it (for the server and its tests). */
    public List<RoomInfo> rooms() {
        return sorted(rooms.values().stream().map(Room::info));
    }

    /** The rooms {@code viewer} may see, as they see them. */
    public List<RoomInfo> rooms(Client viewer) {
        return sorted(rooms.values().stream().filter(r -> r.visibleTo(viewer.userId())).map(r -> r.infoFor(viewer.userId(), viewer.admin())));
    }

    private static List<RoomInfo> sorted(java.util.stream.Stream<RoomInfo> rooms) {
        return rooms.sorted(Comparator.comparing((RoomInfo r) -> r.name().toLowerCase()).thenComparing(r -> r.id().value())).toList();
    }

    /**
     * Creates a public or private room owned by {@code creator} (null: the server, for a public room without
     * an owner); every connection that may see it but the creator's hears of it.
     */
    public CompletableFuture<RoomInfo> createRoom(String name, String topic, RoomKind kind, Client creator) {
        if (kind == RoomKind.DIRECT) throw new IllegalArgumentException("direct rooms are made by direct()");
        List<Membership> members = creator == null ? List.of() : List.of(new Membership(ref(creator), Role.OWNER));
        if (creator != null && owned(creator.userId()) >= limits.maxRoomsPerUser()) {
            return CompletableFuture.failedFuture(new RoomException(Refusal.LIMIT_REACHED,
                    "you own " + limits.maxRoomsPerUser() + " rooms, the most one may (max-rooms-per-user): delete one first"));
        }
        RoomId id = new RoomId(Ids.random("r_"));
        var room = new ChatStore.NewRoom(id, name, topic, creator == null ? null : creator.userId(), clock.millis(),
                kind, null, members);
        return store.createRoom(room).handle((stored, error) -> {
            if (error != null) throw refusal(error);
            Room created = addRoom(newRoom(id, stored.name(), stored.topic(), 0, kind, members, List.of()));
            publish(new Fact.RoomCreated(created.info(), members, creator == null ? null : creator.sessionId()));
            return creator == null ? created.info() : created.infoFor(creator.userId(), creator.admin());
        });
    }

    private long owned(UserId user) {
        return rooms.values().stream().filter(r -> r.kind != RoomKind.DIRECT && r.roleOf(user, false) == Role.OWNER).count();
    }

    static UserRef ref(Client m) {
        return new UserRef(m.userId(), m.name());
    }

    /** Opens the direct room of {@code me} and {@code other}: the one they have, or a new one. */
    public CompletableFuture<RoomInfo> direct(Client me, UserId other) {
        if (other.equals(me.userId())) throw new RoomException(Refusal.BAD_STATE, "a direct room is between two people: choose someone else");
        RoomId known = directs.get(directKey(List.of(me.userId(), other)));
        Room existing = known == null ? null : rooms.get(known);
        if (existing != null) return CompletableFuture.completedFuture(existing.infoFor(me.userId(), me.admin()));
        return store.person(other).thenCompose(person -> {
            if (person == null) throw noSuchUser(other);
            List<Membership> members = List.of(new Membership(ref(me), Role.MEMBER),
                    new Membership(new UserRef(other, person.name()), Role.MEMBER));
            RoomId id = new RoomId(Ids.random("r_"));
            var room = new ChatStore.NewRoom(id, me.name() + ", " + person.name(), "", me.userId(), clock.millis(),
                    RoomKind.DIRECT, directKey(List.of(me.userId(), other)), members);
            return store.createRoom(room).thenApply(stored -> {
                if (!stored.id().equals(id)) return addRoom(toRoom(stored)).infoFor(me.userId(), me.admin()); // made elsewhere first
                Room created = addRoom(newRoom(id, stored.name(), "", 0, RoomKind.DIRECT, members, List.of()));
                publish(new Fact.RoomCreated(created.info(), members, me.sessionId()));
                return created.infoFor(me.userId(), me.admin());
            });
        }).handle(Hub::orRefusal);
    }

    /** People to invite or write to (see {@link ChatStore#findPeople}). */
    public CompletableFuture<List<ChatStore.Person>> findPeople(String query) {
        return store.findPeople(query, FOUND_MAX).handle(Hub::orRefusal);
    }

    static RoomException noSuchUser(UserId user) {
        return new RoomException(Refusal.NO_SUCH_USER, "no one with id " + user.value() + " here");
    }

    static <T> T orRefusal(T value, Throwable error) {
        if (error != null) throw refusal(error);
        return value;
    }

    /**
     * Puts a fact on the bus. The rooms channel carries what changes who may see which room (every node
     * hears of a new room there, before it knows the room's own channel); a room's channel carries the rest,
     * so its messages, presence, call and signals keep one order.
     */
    void publish(Fact fact) {
        String channel = switch (fact) {
            case Fact.RoomCreated c -> ROOMS_CHANNEL;
            case Fact.MembershipChanged c -> ROOMS_CHANNEL;
            case Fact.RoomDeleted d -> ROOMS_CHANNEL;
            case Fact.Posted p -> channel(p.room());
            case Fact.PresenceChanged p -> channel(p.room());
            case Fact.TypingChanged t -> channel(t.room());
            case Fact.FileStored f -> channel(f.room());
            case Fact.CallJoined j -> channel(j.room());
            case Fact.CallLeft l -> channel(l.room());
            case Fact.MediaChanged m -> channel(m.room());
            case Fact.Signal g -> channel(g.room());
            case Fact.FileSignal g -> channel(g.room());
            case Fact.ReadMoved r -> channel(r.room());
            case Fact.NotifyChanged n -> channel(n.room());
        };
        bus.publish(channel, fact);
    }

    /** Applies a fact from the bus to this node's rooms and connections; a room this node does not know is none of its business. */
    private void onFact(Fact fact) {
        switch (fact) {
            case Fact.RoomCreated created -> onRoomCreated(created);
            case Fact.MembershipChanged change -> onMemberChanged(change);
            case Fact.RoomDeleted deleted -> onRoomDeleted(deleted);
            case Fact.Posted p -> room(p).ifPresent(r -> r.posted(p));
            case Fact.PresenceChanged p -> room(p).ifPresent(r -> r.presence(p));
            case Fact.TypingChanged t -> room(t).ifPresent(r -> r.tell(t, t.client().sessionId()));
            case Fact.FileStored f -> room(f).ifPresent(r -> r.tell(f, null));
            case Fact.CallJoined j -> room(j).ifPresent(r -> r.callJoined(j));
            case Fact.CallLeft l -> room(l).ifPresent(r -> r.callLeft(l));
            case Fact.MediaChanged m -> room(m).ifPresent(r -> r.mediaChanged(m));
            case Fact.Signal g -> room(g).ifPresent(r -> r.signalled(g, g.to()));
            case Fact.FileSignal g -> room(g).ifPresent(r -> r.signalled(g, g.to()));
            case Fact.ReadMoved r -> toOthersOf(r.user(), r.actor(), r);
            case Fact.NotifyChanged n -> toOthersOf(n.user(), n.actor(), n);
        }
    }

    /** Hands the delivery to every connection of {@code user} on this node but {@code actor}'s. */
    private void toOthersOf(UserId user, SessionId actor, Delivery delivery) {
        for (Connection c : connected.values()) {
            Client m = c.client();
            if (m.userId().equals(user) && !m.sessionId().equals(actor)) m.deliver(delivery);
        }
    }

    private java.util.Optional<Room> room(Fact fact) {
        return java.util.Optional.ofNullable(rooms.get(fact.room()));
    }

    private void onRoomCreated(Fact.RoomCreated created) {
        RoomInfo info = created.info();
        Room room = addRoom(newRoom(info.id(), info.name(), info.topic(), info.lastSeq(), info.kind(), created.members(), List.of()));
        for (Connection c : connected.values()) {
            Client m = c.client();
            if (m.sessionId().equals(created.creator()) || !room.visibleTo(m.userId())) continue;
            m.deliver(new Delivery.RoomAdded(room.infoFor(m.userId(), m.admin())));
        }
    }

    /**
     * Applies a change of someone's place in a room. Given a place in a room they could not see, their
     * connections hear of the room; removed, their connections joined to it leave it, and hear why, as do
     * all their connections when the room is no longer theirs to see. The room's joined members are told.
     */
    private void onMemberChanged(Fact.MembershipChanged change) {
        Room room = rooms.get(change.room());
        if (room == null) return;
        UserId user = change.user().id();
        boolean couldSee = room.visibleTo(user);
        room.apply(change);
        if ("unbanned".equals(change.reason())) return; // the actor's reply says it; the room is not told of bans lifted
        boolean canSee = room.visibleTo(user);
        for (Connection c : connected.values()) {
            Client m = c.client();
            if (!m.userId().equals(user)) continue;
            boolean isActor = m.sessionId().equals(change.actor());
            if (change.role() != null) {
                if (!couldSee && !isActor) m.deliver(new Delivery.RoomAdded(room.infoFor(user, m.admin())));
                continue;
            }
            boolean seated = c.joined().remove(room.id);
            if (seated) exit(m, room);
            if ((seated || couldSee && !canSee) && !isActor) m.deliver(new Delivery.Removed(room.id, change.reason(), change.by(), null));
        }
        room.tell(change, change.actor());
    }

    private void onRoomDeleted(Fact.RoomDeleted deleted) {
        Room room = rooms.remove(deleted.room());
        if (room == null) return;
        Bus.Subscription subscription = roomSubscriptions.remove(room.id);
        if (subscription != null) subscription.close();
        for (Connection c : connected.values()) {
            Client m = c.client();
            boolean seated = c.joined().remove(room.id);
            if (seated) room.deleted(m.sessionId());
            if ((seated || room.visibleTo(m.userId())) && !m.sessionId().equals(deleted.actor())) {
                m.deliver(new Delivery.Removed(room.id, "deleted", deleted.by(), null));
            }
        }
    }

    /**
     * Joins the client to the room: it gets {@link Delivery.Entered} (carrying {@code ref}) before any
     * other delivery of the room, then, with {@code since}, every message after it (or a
     * {@link Delivery.Reset} when more than {@code catchupMax} were missed), then live ones.
     */
    public void join(Client client, RoomId id, Long since, String ref) {
        Room room = visibleRoom(client, id);
        if (room.isBanned(client.userId()) && !client.admin()) {
            throw new RoomException(Refusal.FORBIDDEN, "you are banned from " + room.name);
        }
        Connection c = connection(client);
        boolean added = c.joined().add(room.id); // the room's own id, not the one decoded from this request: one copy for all members
        Room.Entry entry;
        try {
            entry = room.enter(client, since, ref);
        } catch (RoomException removedMeanwhile) {
            if (added) c.joined().remove(room.id);
            throw removedMeanwhile;
        }
        if (since == null) return;
        store.after(id, since, limits.catchupMax() + 1)
                .thenCompose(missed -> missed.isEmpty() && since > 0 ? beyondEnd(id, since, missed) : CompletableFuture.completedFuture(missed))
                .whenComplete((missed, error) -> {
                    if (error == null && missed != null && missed.size() <= limits.catchupMax()) {
                        room.caughtUp(entry, missed, false, 0);
                        return;
                    }
                    // The reset names the last seq stored: the room's own may lag behind acks already sent.
                    store.latest(id, 1).whenComplete((last, e) ->
                            room.caughtUp(entry, List.of(), true, last == null || last.isEmpty() ? 0 : last.getFirst().seq()));
                });
    }

    /**
     * Nothing after {@code since}: fine if the client is up to date, but if it holds more than the store
     * has (the database was restored from a backup, say) live delivery would skip everything up to its
     * {@code since}, so it is reset instead (null).
     */
    private CompletableFuture<List<ChatMessage>> beyondEnd(RoomId id, long since, List<ChatMessage> none) {
        return store.latest(id, 1).thenApply(last -> {
            long stored = last.isEmpty() ? 0 : last.getFirst().seq();
            return since > stored ? null : none;
        });
    }

    public void leave(Client client, RoomId id) {
        Room room = visibleRoom(client, id);
        Connection c = connected.get(client.sessionId());
        if (c == null || !c.joined().remove(id)) throw notJoined(id);
        exit(client, room);
    }

    /** Takes the client out of the room's call, if it is in it, and out of the room. */
    private void exit(Client client, Room room) {
        if (room != null) room.exit(client);
    }

    /**
     * Stores a message and reports on {@code done} once it is durable (or refused); then publishes it.
     * {@code done} runs on the store's completion thread, before the message is delivered to anyone.
     */
    public void send(Client client, RoomId id, String clientId, String text, Consumer<SendResult> done) {
        send(client, id, clientId, text, null, done);
    }

    /**
     * As {@link #send(Client, RoomId, String, String, Consumer)}, sharing a file: the message and the file's
     * record are stored in one commit, under a new server-made file id; its bytes come later by HTTP.
     */
    public void send(Client client, RoomId id, String clientId, String text, NewFile file, Consumer<SendResult> done) {
        send(client, id, clientId, text, file, 0, done);
    }

    /**
     * As {@link #send(Client, RoomId, String, String, NewFile, Consumer)}, answering message {@code replyTo}
     * of the room (0: none); the store refuses one that is not a message of this room
     * ({@link Refusal#NO_SUCH_MESSAGE}) or is deleted ({@link Refusal#BAD_STATE}).
     */
    public void send(Client client, RoomId id, String clientId, String text, NewFile file, long replyTo,
                     Consumer<SendResult> done) {
        Room room;
        try {
            room = joinedRoom(client, id);
            if (text.length() > limits.maxTextChars()) {
                throw new RoomException(Refusal.TOO_LONG, "text is longer than " + limits.maxTextChars() + " characters");
            }
        } catch (RoomException e) {
            done.accept(new SendResult.Refused(e));
            return;
        }
        SharedFile meta = file == null ? null
                : new SharedFile(Ids.random("f_"), file.name(), file.size(), file.type(), file.sha256(), false, file.preview());
        Set<UserId> among = room.kind == RoomKind.PUBLIC ? null
                : room.memberships().stream().map(m -> m.user().id()).collect(java.util.stream.Collectors.toSet());
        append(new ChatStore.NewMessage(id, client.userId(), client.name(), clientId, text, clock.millis(), meta,
                ChatMessage.Kind.MESSAGE, 0, null, false, replyTo, Mentions.parse(text, among)), done);
    }

    /** Stores a message or a change; reports on {@code done} once it is durable (or refused); then publishes it. */
    private void append(ChatStore.NewMessage message, Consumer<SendResult> done) {
        store.append(message, outcome -> {
            switch (outcome) {
                case AppendOutcome.Stored stored -> {
                    ChatMessage m = stored.message();
                    done.accept(new SendResult.Accepted(m, stored.duplicate(), stored.removedFile()));
                    if (!stored.duplicate()) publish(new Fact.Posted(m));
                }
                case AppendOutcome.Refused refused -> done.accept(new SendResult.Refused(refused.reason()));
                case AppendOutcome.Failed failed -> done.accept(new SendResult.Refused(
                        new RoomException(Refusal.UNAVAILABLE, "the message could not be stored; retry with the same clientId")));
            }
        });
    }

    /**
     * Replaces the text of the sender's own message {@code target}: an entry of the room's order, stored
     * and published like a message (see {@link #send}); the store refuses a target that is not a message
     * of this room ({@link Refusal#NO_SUCH_MESSAGE}), is deleted ({@link Refusal#BAD_STATE}) or is someone
     * else's ({@link Refusal#FORBIDDEN}).
     */
    public void edit(Client client, RoomId id, String clientId, long target, String text, Consumer<SendResult> done) {
        change(client, id, clientId, ChatMessage.Kind.EDIT, target, text, null, done);
    }

    /**
     * Deletes message {@code target}: its text, file and reactions go, a tombstone stays. One's own, or
     * anyone's for the room's owners and moderators (a server admin in a public room). Refused as {@link #edit}.
     */
    public void delete(Client client, RoomId id, String clientId, long target, Consumer<SendResult> done) {
        change(client, id, clientId, ChatMessage.Kind.DELETE, target, "", null, done);
    }

    /** Adds the sender's {@code emoji} to message {@code target}, or takes it away if it is there. Refused as {@link #edit}. */
    public void react(Client client, RoomId id, String clientId, long target, String emoji, Consumer<SendResult> done) {
        change(client, id, clientId, ChatMessage.Kind.REACTION, target, "", emoji, done);
    }

    private void change(Client client, RoomId id, String clientId, ChatMessage.Kind kind, long target, String text,
                        String emoji, Consumer<SendResult> done) {
        boolean moderator;
        try {
            Room room = joinedRoom(client, id);
            if (text.length() > limits.maxTextChars()) {
                throw new RoomException(Refusal.TOO_LONG, "text is longer than " + limits.maxTextChars() + " characters");
            }
            Role role = room.roleOf(client.userId(), client.admin());
            moderator = role != null && role.atLeast(Role.MODERATOR);
        } catch (RoomException e) {
            done.accept(new SendResult.Refused(e));
            return;
        }
        append(new ChatStore.NewMessage(id, client.userId(), client.name(), clientId, text, clock.millis(), null,
                kind, target, emoji, moderator), done);
    }

    // ---- read state (docs/protocol.md, "Read state") ---------------------------------------------------

    /**
     * Moves the reader's marker in a room they joined forward to {@code seq} (a seq beyond the room's last is
     * taken as its last; one at or below the marker changes nothing). Completes with their read state; when
     * the marker moved, their other connections are told ({@link Fact.ReadMoved}).
     */
    public CompletableFuture<ReadState> read(Client client, RoomId id, long seq) {
        joinedRoom(client, id);
        return markers.read(client.userId(), id, seq).handle((moved, error) -> {
            if (error != null) throw refusal(error);
            if (moved.moved()) publish(new Fact.ReadMoved(id, client.userId(), moved.state(), client.sessionId()));
            return moved.state();
        });
    }

    /** The person's read state in each of these rooms (see {@link ReadState}). */
    public CompletableFuture<List<ReadState>> readStates(Client client, List<RoomInfo> rooms) {
        return markers.states(client.userId(), rooms.stream().map(RoomInfo::id).toList()).handle(Hub::orRefusal);
    }

    /** Keeps how the person wants to be notified of a room they may see (null: the default); their other connections are told. */
    public CompletableFuture<ReadState.Notify> setNotify(Client client, RoomId id, ReadState.Notify level) {
        visibleRoom(client, id);
        return store.setNotify(client.userId(), id, level).handle((ok, error) -> {
            if (error != null) throw refusal(error);
            publish(new Fact.NotifyChanged(id, client.userId(), level, client.sessionId()));
            return level;
        });
    }

    /** What a sender says of a file it shares (already checked and made safe by the protocol). */
    public record NewFile(String name, long size, String type, String sha256, SharedFile.Preview preview) {}

    /**
     * The file with this id among the room's files, or null when the room has none such; for a person with a
     * connection seated in the room (on this node), any of their connections. A room they may not see is
     * refused as one that does not exist, before anything else.
     */
    public CompletableFuture<RoomFile> fileIn(Client client, RoomId id, String fileId) {
        Room room = visibleRoom(client, id);
        if (!room.hasUser(client.userId())) throw notJoined(id);
        return store.file(fileId).thenApply(file -> file != null && file.room().equals(room.id) ? file : null);
    }

    /** The file with this id, or null when there is none. */
    public CompletableFuture<RoomFile> file(String fileId) {
        return store.file(fileId);
    }

    /**
     * The file's bytes are on the server: records it, then tells the room's members. Completes with false,
     * telling no one, when the file is no longer known (its room was deleted while the bytes came: they
     * are the caller's to delete).
     */
    public CompletableFuture<Boolean> fileStored(RoomFile file) {
        String id = file.meta().id();
        return store.fileStored(id, clock.millis())
                .thenCompose(waiting -> waiting ? CompletableFuture.completedFuture(true) : store.file(id).thenApply(f -> f != null))
                .thenApply(known -> {
                    if (known) publish(new Fact.FileStored(file.room(), id));
                    return known;
                });
    }

    /** Whether the store can read and write (for {@code /health}). */
    public CompletableFuture<Boolean> healthy() {
        return store.healthy();
    }

    public CompletableFuture<Page> history(Client client, RoomId id, Long before, Integer limit) {
        joinedRoom(client, id);
        int n = Math.min(limit == null ? limits.historyPageDefault() : limit, limits.historyPageMax());
        var page = before == null ? store.latest(id, n + 1) : store.before(id, before, n + 1);
        return page.handle((stored, error) -> {
            if (error != null) throw refusal(error);
            boolean hasMore = stored.size() > n;
            List<ChatMessage> messages = List.copyOf(stored.subList(hasMore ? 1 : 0, stored.size()));
            return new Page(id, messages, hasMore);
        });
    }

    /**
     * The messages of the rooms {@code client} may see now (public rooms they are not banned from, private
     * and direct rooms they belong to; {@code in}: that room only) whose text of now holds every word of
     * {@code query}, newest first, a page of {@code limit} (clamped to search-page-max) stored before
     * {@code before}. Which rooms are read is decided here, from this node's memberships, and handed to the
     * store as a set: a room one may not see is never read, so nothing of it (a result, a count) can come
     * back. A room one may not see named as {@code in} or in {@code before} is refused as one that does
     * not exist. A person makes at most searches-per-second searches a second, all connections together.
     */
    public CompletableFuture<SearchPage> search(Client client, String query, RoomId in, Search.Position before, Integer limit) {
        if (query.length() > limits.searchMaxChars()) {
            throw new RoomException(Refusal.TOO_LONG, "query is longer than " + limits.searchMaxChars() + " characters");
        }
        UserId user = client.userId();
        Set<RoomId> searched;
        if (in != null) {
            Room room = visibleRoom(client, in);
            if (room.isBanned(user)) throw new RoomException(Refusal.FORBIDDEN, "you are banned from " + room.name);
            searched = Set.of(room.id);
        } else {
            searched = rooms.values().stream().filter(r -> r.visibleTo(user) && !r.isBanned(user)).map(r -> r.id)
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
        }
        if (before != null) visibleRoom(client, before.room());
        long second = clock.millis() / 1000;
        SearchWindow window = searches.merge(user, new SearchWindow(second, 1),
                (old, one) -> old.second() == second ? new SearchWindow(second, old.count() + 1) : one);
        if (window.count() > limits.searchesPerSecond()) {
            throw new RoomException(Refusal.RATE_LIMITED, "more than " + limits.searchesPerSecond() + " searches a second; wait a moment");
        }
        int n = Math.min(limit == null ? SEARCH_PAGE_DEFAULT : limit, limits.searchPageMax());
        List<String> words = Search.words(query);
        return store.search(new Search(words, searched, before, n + 1)).handle((found, error) -> {
            if (error != null) throw refusal(error);
            boolean hasMore = found.size() > n;
            List<Found> page = found.subList(0, hasMore ? n : found.size()).stream()
                    .map(m -> new Found(m, Search.matches(m.text(), words))).toList();
            return new SearchPage(page, hasMore);
        });
    }

    public void typing(Client client, RoomId id, boolean active) {
        joinedRoom(client, id);
        publish(new Fact.TypingChanged(id, client.info(), active));
    }

    /** Joins the client to the room's call; it gets {@link Delivery.CallEntered}, the room a {@link Delivery.CallChanged}. */
    public void joinCall(Client client, RoomId id, String ref) {
        visibleRoom(client, id).joinCall(client, ref);
    }

    public void setMedia(Client client, RoomId id, Participant.Media media) {
        visibleRoom(client, id).media(client.sessionId(), media);
    }

    public void leaveCall(Client client, RoomId id) {
        visibleRoom(client, id).leaveCall(client.sessionId());
    }

    /**
     * Hands WebRTC signalling from a participant of the room's call to its media path (in a mesh, to the
     * participant it names). Identity is the sender's session; nothing is stored; the payload is not read.
     */
    public void signal(Client client, RoomId id, SessionId to, SignalPayload payload) {
        visibleRoom(client, id).signal(client.sessionId(), to, payload);
    }

    /** Relays file transfer signalling between two members of one room; the payload is not read. */
    public void fileSignal(Client client, RoomId id, SessionId to, String file, SignalPayload payload) {
        visibleRoom(client, id).fileSignal(client.sessionId(), to, file, payload);
    }

    private static final System.Logger log = System.getLogger(Hub.class.getName());

    /** A call's record that could not be written is lost; the call itself goes on. */
    private static void logRecordFailure(Object ignored, Throwable e) {
        if (e != null) log.log(System.Logger.Level.WARNING, "a call's record could not be written: " + e);
    }

    /**
     * Keeps {@code report}, the JSON of a participant's {@code call_report}, for its session's part in call
     * {@code call} of the room. Refused when the room is not visible to the client ({@link Refusal#NO_SUCH_ROOM}),
     * when this session was never in that call of that room ({@link Refusal#NOT_IN_CALL}), and after the
     * session's last report of it ({@link Refusal#BAD_STATE}).
     */
    public CompletableFuture<Void> report(Client client, RoomId id, String call, boolean last, String report) {
        Room room = visibleRoom(client, id);
        return callLog.report(call, room.id, client.sessionId(), last, report, clock.millis()).handle((outcome, error) -> {
            if (error != null) throw refusal(error);
            return switch (outcome) {
                case STORED -> null;
                case NOT_A_PARTICIPANT -> throw new RoomException(Refusal.NOT_IN_CALL, "this session was not in call " + call + " of " + room.name);
                case ALREADY_FINAL -> throw new RoomException(Refusal.BAD_STATE, "this session already sent its final report of call " + call);
            };
        });
    }

    /** The room's latest {@code limit} calls, for its owners (a server admin counts as one of every room it sees). */
    public CompletableFuture<List<CallLog.CallRecord>> calls(Client client, RoomId id, int limit) {
        Room room = visibleRoom(client, id);
        if (!client.admin() && room.roleOf(client.userId(), false) != Role.OWNER) {
            throw new RoomException(Refusal.FORBIDDEN, "only the room's owners and the server's admins see its calls");
        }
        return callLog.recent(room.id, limit).handle(Hub::orRefusal);
    }

    /** Forgets the calls that started more than {@code retention} ago (and have ended); how many. */
    public CompletableFuture<Integer> purgeCalls(java.time.Duration retention) {
        return callLog.purge(clock.millis() - retention.toMillis());
    }

    /** Calls in progress in this node's rooms. */
    public int callsInProgress() {
        return (int) rooms.values().stream().filter(r -> r.callSize() > 0).count();
    }

    /** People in this node's rooms' calls. */
    public int callParticipants() {
        return rooms.values().stream().mapToInt(Room::callSize).sum();
    }

    /** Connections of this node seated in rooms, one per room each. */
    public int seated() {
        return rooms.values().stream().mapToInt(Room::seated).sum();
    }

    /** Connections that said hello on this node. */
    public int connections() {
        return connected.size();
    }

    /** Who belongs to a room and with which role: invitations, roles, kicks, bans, quitting, deleting. */
    public Moderation moderation() {
        return moderation;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * The room, if this person may know it exists: a private room they are not a member of is refused
     * exactly as an id that was never used, so that no answer tells the two apart.
     */
    Room visibleRoom(Client client, RoomId id) {
        Room room = rooms.get(id);
        if (room == null || !room.visibleTo(client.userId())) throw new RoomException(Refusal.NO_SUCH_ROOM, "no room " + id);
        return room;
    }

    private Room joinedRoom(Client client, RoomId id) {
        Room room = visibleRoom(client, id);
        if (!room.has(client.sessionId())) throw notJoined(id);
        return room;
    }

    private Connection connection(Client client) {
        Connection c = connected.get(client.sessionId());
        if (c == null) throw new IllegalStateException("client " + client.sessionId() + " is not connected");
        return c;
    }

    private static RoomException notJoined(RoomId id) {
        return new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
    }

    static RoomException refusal(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof RoomException r) return r;
        if (cause instanceof ChatStore.NameTakenException) return new RoomException(Refusal.NAME_TAKEN, cause.getMessage());
        if (cause instanceof ChatStore.BannedException) return new RoomException(Refusal.FORBIDDEN, "that person is banned from this room: unban them first");
        return new RoomException(Refusal.UNAVAILABLE, "storage is unavailable; nothing was changed");
    }

    /** Writes the read markers that wait (the store must still be open), and stops listening to the bus. */
    @Override
    public void close() {
        markers.close();
        synchronized (subscriptions) {
            subscriptions.forEach(Bus.Subscription::close);
            subscriptions.clear();
        }
        roomSubscriptions.values().forEach(Bus.Subscription::close);
        roomSubscriptions.clear();
    }
}
