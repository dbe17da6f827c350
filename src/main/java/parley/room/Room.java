package parley.room;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One room's members on this node and the order in which they see its messages.
 *
 * <p>Every method holds the room's lock, so events reach each member in one order. For each member the
 * room remembers the highest seq delivered, so a message is delivered at most once and never after a
 * later one. A member that joins with {@code since} is "catching up": live messages are held back until
 * the missed ones, read from the store, have been delivered.
 */
final class Room {
    private static final System.Logger log = System.getLogger(Room.class.getName());

    final RoomId id;
    final String name;
    final String topic;
    final RoomKind kind;
    private long lastSeq;
    /** Everyone who belongs to a private or direct room; in a public room, those with a role. */
    private final Map<UserId, RoomMember> members = new LinkedHashMap<>();
    private final Map<UserId, UserRef> banned = new LinkedHashMap<>();
    private final Map<SessionId, Seat> seats = new LinkedHashMap<>();
    private final Map<SessionId, Participant> call = new LinkedHashMap<>(); // in joining order
    private int nextOrder = 1;

    static final class Seat {
        Member member; // replaced while its session is parked, and when it resumes
        long delivered;
        List<ChatMessage> held; // non-null while catching up
        int catchUp; // which catch-up is current: a join again with since starts a new one

        Seat(Member member) {
            this.member = member;
        }
    }

    Room(RoomId id, String name, String topic, long lastSeq) {
        this(id, name, topic, lastSeq, RoomKind.PUBLIC, List.of(), List.of());
    }

    Room(RoomId id, String name, String topic, long lastSeq, RoomKind kind, List<RoomMember> members, List<UserRef> banned) {
        this.id = id;
        this.name = name;
        this.topic = topic;
        this.kind = kind;
        this.lastSeq = lastSeq;
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
            with = members.values().stream().map(RoomMember::user).filter(u -> !u.id().equals(viewer)).findFirst().orElse(null);
        }
        return new RoomInfo(id, with == null ? name : with.name(), topic, lastSeq, seats.size(), kind, roleOf(viewer, admin), with);
    }

    /** Whether the person may know the room exists: anyone for a public room, its members for the others. */
    synchronized boolean visibleTo(UserId user) {
        return kind == RoomKind.PUBLIC || members.containsKey(user);
    }

    /** The person's role here; a server admin counts as an owner of a public room. Null: none. */
    synchronized Role roleOf(UserId user, boolean admin) {
        RoomMember m = members.get(user);
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
    synchronized RoomMember member(UserId user) {
        return members.get(user);
    }

    /** The person as banned from here, or null when they are not. */
    synchronized UserRef banOf(UserId user) {
        return banned.get(user);
    }

    synchronized List<RoomMember> members() {
        return List.copyOf(members.values());
    }

    synchronized List<UserRef> banned() {
        return List.copyOf(banned.values());
    }

    synchronized long owners() {
        return members.values().stream().filter(m -> m.role() == Role.OWNER).count();
    }

    /** Records a change of someone's place here (see {@link RoomEvent.MemberChanged}). */
    synchronized void apply(RoomEvent.MemberChanged change) {
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
            members.put(user, new RoomMember(change.user(), change.role()));
        }
    }

    /** The members seated here (this node) for that person: one per connection joined to the room. */
    synchronized List<Member> seatedOf(UserId user) {
        return seats.values().stream().map(s -> s.member).filter(m -> m.userId().equals(user)).toList();
    }

    /** Hands an event to every seated member but {@code except}'s session (null: everyone). */
    synchronized void tell(RoomEvent event, SessionId except) {
        for (Seat seat : seats.values()) {
            if (!seat.member.sessionId().equals(except)) hand(seat.member, event);
        }
    }

    synchronized boolean has(SessionId session) {
        return seats.containsKey(session);
    }

    /**
     * Seats the member (again) and delivers {@link RoomEvent.Entered} to it. With {@code since}, holds
     * live messages back until {@link #caughtUp}. Returns the seat, and whether it is new, to the caller.
     */
    synchronized Entry enter(Member member, Long since, String ref) {
        // Checked again under the lock: a kick or ban may have been applied since the hub looked.
        if (!visibleTo(member.userId())) throw new RoomException(Refusal.NO_SUCH_ROOM, "no room " + id);
        if (isBanned(member.userId()) && !member.admin()) throw new RoomException(Refusal.FORBIDDEN, "you are banned from " + name);
        Seat seat = seats.get(member.sessionId());
        boolean added = seat == null;
        if (added) {
            seat = new Seat(member);
            seats.put(member.sessionId(), seat);
        }
        if (since != null) {
            seat.delivered = since;
            seat.catchUp++;
            if (seat.held == null) seat.held = new ArrayList<>();
        }
        List<MemberInfo> members = seats.values().stream().map(s -> s.member.info()).toList();
        hand(member, new RoomEvent.Entered(infoFor(member.userId(), member.admin()), members, List.copyOf(call.values()), ref));
        return new Entry(seat, added, seat.catchUp);
    }

    /** {@code catchUp} identifies the catch-up this join started, for {@link #caughtUp}. */
    record Entry(Seat seat, boolean added, int catchUp) {}

    /**
     * Delivers the missed messages, then those held back meanwhile, and puts the seat back on live
     * delivery. With {@code tooMany}, the member gets {@link RoomEvent.Reset} instead of the missed ones.
     * The result of a catch-up that a later join replaced is ignored: the later one delivers.
     */
    synchronized void caughtUp(Entry entry, List<ChatMessage> missed, boolean tooMany) {
        Seat seat = entry.seat();
        if (seats.get(seat.member.sessionId()) != seat || seat.held == null || seat.catchUp != entry.catchUp()) return;
        if (tooMany) {
            hand(seat.member, new RoomEvent.Reset(id, lastSeq));
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
        return seats.values().stream().anyMatch(s -> s.member.userId().equals(user));
    }

    synchronized boolean inCall(SessionId session) {
        return call.containsKey(session);
    }

    /**
     * Seats {@code member} in place of the member with its session id, keeping its place in the room and
     * the call: no one is told. With {@code parked}, the signals it kept for this room go to the new
     * member first.
     */
    synchronized void replace(Member member, Parked parked) {
        Seat seat = seats.get(member.sessionId());
        if (seat == null) return;
        seat.member = member;
        if (parked != null) parked.take(id).forEach(s -> hand(member, s));
    }

    /** Removes the member from the room, and from its call if it was in it. */
    synchronized boolean exit(SessionId session) {
        leaveCall(session);
        return seats.remove(session) != null;
    }

    // ---- the room's call -------------------------------------------------------------------------

    /**
     * Puts the member in the room's call (it must be in the room) and tells it its place, then tells the
     * whole room who is in the call. Joining again answers again and changes nothing.
     */
    synchronized void joinCall(Member member, int max, String ref) {
        Seat seat = seats.get(member.sessionId());
        if (seat == null) throw new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
        Participant you = call.get(member.sessionId());
        boolean added = you == null;
        if (added) {
            if (call.size() >= max) {
                throw new RoomException(Refusal.CALL_FULL, "the call in " + name + " is full (" + max + " people)");
            }
            you = new Participant(member.info(), nextOrder++, Participant.Media.NONE);
            call.put(member.sessionId(), you);
        }
        hand(member, new RoomEvent.CallEntered(id, you, List.copyOf(call.values()), ref));
        if (added) callChanged();
    }

    /** Records what a participant sends (microphone, camera, screen) and tells the room. */
    synchronized void setMedia(SessionId session, Participant.Media media) {
        Participant p = call.get(session);
        if (p == null) throw new RoomException(Refusal.NOT_IN_CALL, "join the call in " + name + " first");
        if (p.media().equals(media)) return;
        call.put(session, p.with(media));
        callChanged();
    }

    /** Returns false when the member was not in the call. The call ends with its last participant. */
    synchronized boolean leaveCall(SessionId session) {
        if (call.remove(session) == null) return false;
        if (call.isEmpty()) nextOrder = 1;
        callChanged();
        return true;
    }

    /** Hands a signal to another participant of the same call; anyone else is refused, and gets nothing. */
    synchronized void relay(SessionId from, SessionId to, Object payload) {
        if (!seats.containsKey(from)) throw new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
        Participant sender = call.get(from);
        if (sender == null) throw new RoomException(Refusal.NOT_IN_CALL, "join the call in " + name + " first");
        Participant target = call.get(to);
        Seat seat = seats.get(to);
        if (target == null || seat == null || to.equals(from)) {
            throw new RoomException(Refusal.NO_SUCH_PARTICIPANT, "no participant " + to + " in this call");
        }
        hand(seat.member, new RoomEvent.SignalRelayed(id, sender.member(), payload));
    }

    /** Hands file transfer signalling to another member of this room; anyone else is refused, and gets nothing. */
    synchronized void relayFile(SessionId from, SessionId to, String file, Object payload) {
        Seat sender = seats.get(from);
        if (sender == null) throw new RoomException(Refusal.NOT_JOINED, "join room " + id + " first");
        Seat target = seats.get(to);
        if (target == null || to.equals(from)) {
            throw new RoomException(Refusal.NO_SUCH_PARTICIPANT, "no member " + to + " in room " + name);
        }
        hand(target.member, new RoomEvent.FileSignalRelayed(id, sender.member.info(), file, payload));
    }

    private void callChanged() {
        RoomEvent.CallChanged event = new RoomEvent.CallChanged(id, List.copyOf(call.values()));
        for (Seat seat : seats.values()) hand(seat.member, event);
    }

    synchronized void onEvent(RoomEvent event) {
        switch (event) {
            case RoomEvent.Posted p -> {
                ChatMessage m = p.message();
                if (m.seq() > lastSeq) lastSeq = m.seq();
                for (Seat seat : seats.values()) {
                    if (seat.held != null) {
                        seat.held.add(m);
                    } else if (m.seq() > seat.delivered) {
                        seat.delivered = m.seq();
                        hand(seat.member, p);
                    }
                }
            }
            case RoomEvent.PresenceChanged p -> tell(p, p.member().sessionId());
            case RoomEvent.TypingChanged t -> tell(t, t.member().sessionId());
            case RoomEvent.FileStored f -> {
                for (Seat seat : seats.values()) hand(seat.member, f);
            }
            case RoomEvent.Entered e -> throw new IllegalArgumentException("Entered is not broadcast");
            case RoomEvent.RoomAdded a -> throw new IllegalArgumentException("RoomAdded is not a room event");
            case RoomEvent.MemberChanged m -> throw new IllegalArgumentException("MemberChanged goes through the hub");
            case RoomEvent.Removed r -> throw new IllegalArgumentException("Removed goes to one person");
            case RoomEvent.RoomDeleted d -> throw new IllegalArgumentException("RoomDeleted goes through the hub");
            case RoomEvent.Reset r -> throw new IllegalArgumentException("Reset is not broadcast");
            case RoomEvent.CallEntered c -> throw new IllegalArgumentException("CallEntered is not broadcast");
            case RoomEvent.CallChanged c -> throw new IllegalArgumentException("CallChanged is delivered by the room itself");
            case RoomEvent.SignalRelayed r -> throw new IllegalArgumentException("signals are relayed, not broadcast");
            case RoomEvent.FileSignalRelayed r -> throw new IllegalArgumentException("signals are relayed, not broadcast");
        }
    }

    private void deliver(Seat seat, ChatMessage m) {
        if (m.seq() > seat.delivered) {
            seat.delivered = m.seq();
            hand(seat.member, new RoomEvent.Posted(m));
        }
    }

    /** A member that throws is a bug in that member; it must not cost the other members the event. */
    private void hand(Member member, RoomEvent event) {
        try {
            member.deliver(event);
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "member " + member.sessionId() + " failed to take " + event.getClass().getSimpleName(), e);
        }
    }
}
