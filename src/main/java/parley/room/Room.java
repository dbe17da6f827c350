package parley.room;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One room as this node knows it: who belongs to it, who is in it now (on any node), this node's
 * connections seated in it, its call, and the order in which those connections see its messages.
 *
 * <p>Every method holds the room's lock, so deliveries reach each seat in one order; the facts a request
 * makes are published under it too, so the room's channel carries them in the order the room decided
 * them (with the in-process bus they are applied before the lock is let go: a check and its effect are
 * one step). Nothing here reads the store under the lock. For each seat the
 * room remembers the highest seq delivered, so a message is delivered at most once and never after a
 * later one. A seat that joins with {@code since} is "catching up": live messages are held back until
 * the missed ones, read from the store, have been delivered.
 *
 * <p>The room does not trust the bus to be gapless: a message whose seq skips ahead of the last one it
 * delivered is held, with any that follow, while the skipped ones are read from the store
 * ({@link Backfill}); then they all go out in seq order. A seq at or below the last one is a repeat, or
 * came late after its gap was filled: it is dropped.
 */
final class Room {
    private static final System.Logger log = System.getLogger(Room.class.getName());

    /** Reads the messages of a room after a seq, for a gap in what the bus delivered. */
    interface Backfill {
        /** Up to {@code count} messages after {@code afterSeq}, oldest first; or an error when they cannot be read. */
        void after(RoomId room, long afterSeq, int count, BiConsumer<List<ChatMessage>, Throwable> done);
    }

    final RoomId id;
    final String name;
    final String topic;
    final RoomKind kind;
    private long lastSeq;
    /** Everyone who belongs to a private or direct room; in a public room, those with a role. */
    private final Map<UserId, Membership> members = new LinkedHashMap<>();
    private final Map<UserId, UserRef> banned = new LinkedHashMap<>();
    /** This node's connections in the room. */
    private final Map<SessionId, Seat> seats = new LinkedHashMap<>();
    /** Everyone in the room now, on every node, in joining order: this node's seats and the presence facts of the others. */
    private final Map<SessionId, ClientInfo> present = new LinkedHashMap<>();
    private final Call call;
    private final Backfill backfill;
    /** Puts a fact on the bus; must not block. */
    private final Consumer<Fact> publish;
    /** Non-null while a gap is being filled: the messages that came after it, by seq. */
    private TreeMap<Long, Fact.Posted> early;

    static final class Seat {
        Client client; // replaced while its session is parked, and when it resumes
        long delivered;
        List<ChatMessage> held; // non-null while catching up
        int catchUp; // which catch-up is current: a join again with since starts a new one

        Seat(Client client) {
            this.client = client;
        }
    }

    Room(RoomId id, String name, String topic, long lastSeq, RoomKind kind, List<Membership> members, List<UserRef> banned,
         MediaPath path, Call.Recorder recorder, Backfill backfill, Consumer<Fact> publish) {
        this.id = id;
        this.name = name;
        this.topic = topic;
        this.kind = kind;
        this.lastSeq = lastSeq;
        this.call = new Call(id, path, recorder);
        this.backfill = backfill;
        this.publish = publish;
        members.forEach(m -> this.members.put(m.user().id(), m));
        banned.forEach(b -> this.banned.put(b.id(), b));
    }

    /** The room as its creator made it, for the other nodes: no one's view in particular. */
    synchronized RoomInfo info() {
        return new RoomInfo(id, name, topic, lastSeq, seats.size(), kind, null, null);
    }

    /** The room as {@code viewer} sees it: their role, and for a direct room the other person as its name. */
    synchronized RoomInfo infoFor(UserId viewer, boolean admin) {
        UserRef with = null;
        if (kind == RoomKind.DIRECT) {
            with = members.values().stream().map(Membership::user).filter(u -> !u.id().equals(viewer)).findFirst().orElse(null);
        }
        return new RoomInfo(id, with == null ? name : with.name(), topic, lastSeq, seats.size(), kind, roleOf(viewer, admin), with);
    }

    /** Whether the person may know the room exists: anyone for a public room, its members for the others. */
    synchronized boolean visibleTo(UserId user) {
        return kind == RoomKind.PUBLIC || members.containsKey(user);
    }

    /** The person's role here; a server admin counts as an owner of a public room. Null: none. */
    synchronized Role roleOf(UserId user, boolean admin) {
        Membership m = members.get(user);
        if (kind == RoomKind.PUBLIC && admin) return Role.OWNER;
        return m == null ? null : m.role();
    }

    synchronized boolean isBanned(UserId user) {
        return banned.containsKey(user);
    }

    synchronized boolean isMember(UserId user) {
        return members.containsKey(user);
    }

    /** The person's membership here, or null. */
    synchronized Membership membership(UserId user) {
        return members.get(user);
    }

    /** The person as banned from here, or null when they are not. */
    synchronized UserRef banOf(UserId user) {
        return banned.get(user);
    }

    synchronized List<Membership> memberships() {
        return List.copyOf(members.values());
    }

    synchronized List<UserRef> banned() {
        return List.copyOf(banned.values());
    }

    synchronized long owners() {
        return members.values().stream().filter(m -> m.role() == Role.OWNER).count();
    }

    /** Records a change of someone's place here (see {@link Fact.MembershipChanged}). */
    synchronized void apply(Fact.MembershipChanged change) {
        UserId user = change.user().id();
        switch (change.reason() == null ? "" : change.reason()) {
            case "banned" -> banned.put(user, change.user());
            case "unbanned" -> banned.remove(user);
            default -> { }
        }
        if (change.role() == null) {
            if (!"unbanned".equals(change.reason())) members.remove(user);
        } else if (kind == RoomKind.PUBLIC && change.role() == Role.MEMBER) {
            members.remove(user); // a public room lists only roles above member
        } else {
            members.put(user, new Membership(change.user(), change.role()));
        }
    }

    /** The members seated here (this node) for that person: one per connection joined to the room. */
    synchronized List<Client> seatedOf(UserId user) {
        return seats.values().stream().map(s -> s.client).filter(m -> m.userId().equals(user)).toList();
    }

    /** Hands a delivery to every seated client but {@code except}'s session (null: everyone). */
    synchronized void tell(Delivery.Shared delivery, SessionId except) {
        for (Seat seat : seats.values()) {
            if (!seat.client.sessionId().equals(except)) hand(seat.client, delivery);
        }
    }

    synchronized boolean has(SessionId session) {
        return seats.containsKey(session);
    }

    /**
     * Seats the client (again) and delivers {@link Delivery.Entered} to it. With {@code since}, holds
     * live messages back until {@link #caughtUp}. Returns the seat, and whether it is new, to the caller.
     */
    synchronized Entry enter(Client client, Long since, String ref) {
        // Checked again under the lock: a kick or ban may have been applied since the hub looked.
        if (!visibleTo(client.userId())) throw new RoomException(Refusal.NO_SUCH_ROOM, "no room " + id);
        if (isBanned(client.userId()) && !client.admin()) throw new RoomException(Refusal.FORBIDDEN, "you are banned from " + name);
        Seat seat = seats.get(client.sessionId());
        boolean added = seat == null;
        if (added) {
            seat = new Seat(client);
            seats.put(client.sessionId(), seat);
            present.put(client.sessionId(), client.info());
        }
        if (since != null) {
            seat.delivered = since;
            seat.catchUp++;
            if (seat.held == null) seat.held = new ArrayList<>();
        }
        hand(client, new Delivery.Entered(infoFor(client.userId(), client.admin()), List.copyOf(present.values()),
                call.participants(), ref));
        if (added) publish.accept(new Fact.PresenceChanged(id, client.info(), true));
        return new Entry(seat, added, seat.catchUp);
    }

    /** {@code catchUp} identifies the catch-up this join started, for {@link #caughtUp}. */
    record Entry(Seat seat, boolean added, int catchUp) {}

    /**
     * Delivers the missed messages, then those held back meanwhile, and puts the seat back on live
     * delivery. With {@code tooMany}, the client gets {@link Delivery.Reset} instead of the missed ones, naming
     * the last seq known here or stored ({@code storedLast}).
     * The result of a catch-up that a later join replaced is ignored: the later one delivers.
     */
    synchronized void caughtUp(Entry entry, List<ChatMessage> missed, boolean tooMany, long storedLast) {
        Seat seat = entry.seat();
        if (seats.get(seat.client.sessionId()) != seat || seat.held == null || seat.catchUp != entry.catchUp()) return;
        if (tooMany) {
            hand(seat.client, new Delivery.Reset(id, Math.max(lastSeq, storedLast)));
            seat.delivered = 0;
        } else {
            missed.forEach(m -> deliver(seat, m));
        }
        List<ChatMessage> held = seat.held;
        seat.held = null;
        held.forEach(m -> deliver(seat, m));
    }

    /** Whether any session of this user is in the room on this node. */
    synchronized boolean hasUser(UserId user) {
        return seats.values().stream().anyMatch(s -> s.client.userId().equals(user));
    }

    /**
     * Seats {@code client} in place of the client with its session id, keeping its place in the room and
     * the call: no one is told. With {@code parked}, the signals it kept for this room go to the new
     * client first.
     */
    synchronized void replace(Client client, Parked parked) {
        Seat seat = seats.get(client.sessionId());
        if (seat == null) return;
        seat.client = client;
        if (parked != null) parked.take(id).forEach(s -> hand(client, s));
    }

    /**
     * Takes the client out of the room's call, if it is in it (everyone seated, itself too, hears who is in
     * the call now), then out of the room (the others hear it left). False when it was not seated here.
     */
    synchronized boolean exit(Client client) {
        SessionId session = client.sessionId();
        if (call.has(session)) publish.accept(new Fact.CallLeft(id, session));
        if (seats.remove(session) == null) return false;
        present.remove(session);
        publish.accept(new Fact.PresenceChanged(id, client.info(), false));
        return true;
    }

    /**
     * The room was deleted: the client leaves it without a word on the bus (no one listens to the room's
     * channel any more); those still seated hear that it left the call, as on any exit.
     */
    synchronized void deleted(SessionId session) {
        if (call.remove(session)) callChanged();
        seats.remove(session);
        present.remove(session);
    }

    // ---- presence, typing, files: facts told to the seats ------------------------------------------

    /** Someone came or went, on this node or another; one who went is out of the call too (if a fact said otherwise, it came late). */
    synchronized void presence(Fact.PresenceChanged p) {
        SessionId session = p.client().sessionId();
        if (p.joined()) {
            present.put(session, p.client());
        } else {
            present.remove(session);
            if (call.remove(session)) callChanged();
        }
        tell(p, session);
    }

    // ---- the room's call ---------------------------------------------------------------------------

    synchronized boolean inCall(SessionId session) {
        return call.has(session);
    }

    /** How many are in the call now (0: no call). */
    synchronized int callSize() {
        return call.size();
    }

    /** How many of this node's connections are seated in the room. */
    synchronized int seated() {
        return seats.size();
    }

    /**
     * A seated client asks to join the call. Already in it, it is told its place again, and nothing changes.
     */
    synchronized void joinCall(Client client, String ref) {
        if (!seats.containsKey(client.sessionId())) throw new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
        Participant you = call.get(client.sessionId());
        if (you != null) {
            hand(client, new Delivery.CallEntered(id, call.id(), you, call.participants(), ref));
            return;
        }
        // Checked against this node's roster. On one node the fact is applied before the lock is let go, so
        // the check holds; with a bus that delivers later, joins racing on two nodes may both pass, and the
        // call holds one more than its capacity until someone leaves.
        if (call.full()) {
            throw new RoomException(Refusal.CALL_FULL, "the call in " + name + " is full (" + call.capacity() + " people)");
        }
        publish.accept(new Fact.CallJoined(id, client.info(), ref, call.idForJoin()));
    }

    /**
     * Puts the client in the call; its connection, if seated here, is told its place; then the whole room
     * is told who is in the call. (A join that raced another of the same session is answered the same way
     * and changes nothing.)
     */
    synchronized void callJoined(Fact.CallJoined joined) {
        SessionId session = joined.client().sessionId();
        if (!present.containsKey(session)) return; // it left the room before the fact came
        boolean added = call.add(joined.client(), joined.call()) != null;
        Seat seat = seats.get(session);
        if (seat != null) hand(seat.client, new Delivery.CallEntered(id, call.id(), call.get(session), call.participants(), joined.ref()));
        if (added) callChanged();
    }

    /** What a participant sends now; the room hears of a change. */
    synchronized void media(SessionId session, Participant.Media media) {
        Participant p = call.get(session);
        if (p == null) throw new RoomException(Refusal.NOT_IN_CALL, "join the call in " + name + " first");
        if (!p.media().equals(media)) publish.accept(new Fact.MediaChanged(id, session, media));
    }

    synchronized void leaveCall(SessionId session) {
        if (!call.has(session)) throw new RoomException(Refusal.NOT_IN_CALL, "you are not in the call in room " + id);
        publish.accept(new Fact.CallLeft(id, session));
    }

    synchronized void mediaChanged(Fact.MediaChanged changed) {
        if (call.setMedia(changed.session(), changed.media())) callChanged();
    }

    synchronized void callLeft(Fact.CallLeft left) {
        if (call.remove(left.session())) callChanged();
    }

    /** Hands a participant's signal to the call's media path; anyone outside the call is refused, and sends nothing. */
    synchronized void signal(SessionId from, SessionId to, SignalPayload payload) {
        if (!seats.containsKey(from)) throw new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
        Participant sender = call.get(from);
        if (sender == null) throw new RoomException(Refusal.NOT_IN_CALL, "join the call in " + name + " first");
        call.signal(sender, to, payload);
    }

    /** Relays file transfer signalling to another client present in this room; anyone else is refused. */
    synchronized void fileSignal(SessionId from, SessionId to, String file, SignalPayload payload) {
        Seat sender = seats.get(from);
        if (sender == null) throw new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
        if (!present.containsKey(to) || to.equals(from)) {
            throw new RoomException(Refusal.NO_SUCH_PARTICIPANT, "no member " + to + " in room " + name);
        }
        publish.accept(new Fact.FileSignal(id, sender.client.info(), to, file, payload));
    }

    /** A signal reaches its addressee if it is seated on this node (elsewhere, its own node delivers it). */
    synchronized void signalled(Delivery signal, SessionId to) {
        Seat seat = seats.get(to);
        if (seat != null) hand(seat.client, signal);
    }

    private void callChanged() {
        tell(new Delivery.CallChanged(id, call.participants()), null);
    }

    // ---- messages ----------------------------------------------------------------------------------

    /** A stored message, from the bus: delivered in seq order, once, after any gap before it is filled. */
    void posted(Fact.Posted posted) {
        Gap gap;
        synchronized (this) {
            long seq = posted.message().seq();
            if (seq <= lastSeq) return;
            if (early == null && seq == lastSeq + 1) {
                broadcast(posted);
                return;
            }
            boolean filling = early != null;
            if (!filling) early = new TreeMap<>();
            early.put(seq, posted);
            if (filling) return;
            gap = gap();
        }
        fill(gap);
    }

    /** The messages between the last one delivered and the first one held. */
    private record Gap(long after, int count) {}

    private Gap gap() {
        return new Gap(lastSeq, (int) Math.min(Integer.MAX_VALUE, early.firstKey() - lastSeq - 1));
    }

    /** Reads a gap from the store, never under the room's lock (the store may be reporting to this room). */
    private void fill(Gap gap) {
        try {
            backfill.after(id, gap.after(), gap.count(), (found, error) -> filled(gap, found, error));
        } catch (RuntimeException e) {
            filled(gap, null, e);
        }
    }

    /**
     * Delivers what the store gave for a gap, and the held messages that follow it without another gap. A
     * gap the store cannot fill (a read failed, or gave nothing) is skipped: every live seat is told to
     * reload ({@link Delivery.Reset}) rather than wait for messages that will not come; a seat catching up
     * reads the gap in its own catch-up.
     */
    private void filled(Gap gap, List<ChatMessage> found, Throwable error) {
        Gap next;
        synchronized (this) {
            if (early == null || gap.after() != lastSeq) return; // a fill already done
            boolean progress = false;
            if (error == null && found != null) {
                for (ChatMessage m : found) {
                    if (m.seq() > lastSeq && !early.containsKey(m.seq())) early.put(m.seq(), new Fact.Posted(m));
                }
                progress = early.firstKey() == lastSeq + 1;
            }
            if (!progress) {
                log.log(System.Logger.Level.WARNING, "room " + id + ": messages " + (lastSeq + 1) + " to " + (early.firstKey() - 1)
                        + " could not be read for a gap in delivery" + (error == null ? "" : ": " + error));
                lastSeq = early.firstKey() - 1;
                for (Seat seat : seats.values()) {
                    if (seat.held == null) hand(seat.client, new Delivery.Reset(id, lastSeq));
                }
            }
            while (!early.isEmpty() && early.firstKey() == lastSeq + 1) broadcast(early.pollFirstEntry().getValue());
            if (early.isEmpty()) {
                early = null;
                return;
            }
            next = gap();
        }
        fill(next);
    }

    /** The next message in the room's order, to every seat: held for those catching up, once for the others. */
    private void broadcast(Fact.Posted posted) {
        ChatMessage m = posted.message();
        lastSeq = m.seq();
        for (Seat seat : seats.values()) {
            if (seat.held != null) {
                seat.held.add(m);
            } else if (m.seq() > seat.delivered) {
                seat.delivered = m.seq();
                hand(seat.client, posted);
            }
        }
    }

    private void deliver(Seat seat, ChatMessage m) {
        if (m.seq() > seat.delivered) {
            seat.delivered = m.seq();
            hand(seat.client, new Fact.Posted(m));
        }
    }

    /** A client that throws is a bug in that client; it must not cost the others the delivery. */
    private void hand(Client client, Delivery delivery) {
        try {
            client.deliver(delivery);
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "client " + client.sessionId() + " failed to take " + delivery.getClass().getSimpleName(), e);
        }
    }
}
