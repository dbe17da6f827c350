package parley.room;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Who belongs to a room and with which role, as its owners and moderators (and the members themselves)
 * change it: invitations, roles, kicks, bans, unbans, quitting, deleting the room. Each request is checked
 * against the room as this node knows it, written to the store, and only then published as a
 * {@link Fact.MembershipChanged} (or {@link Fact.RoomDeleted}), which every node's {@link Hub} applies to
 * its rooms and connections.
 */
public final class Moderation {
    /** Who belongs to a room; {@code banned} only for its owners and moderators, else null. */
    public record Members(RoomId room, List<Membership> members, List<UserRef> banned) {}

    private final Hub hub;
    private final ChatStore store;
    private final Clock clock;

    Moderation(Hub hub, ChatStore store, Clock clock) {
        this.hub = hub;
        this.store = store;
        this.clock = clock;
    }

    public Members members(Client me, RoomId id) {
        Room room = hub.visibleRoom(me, id);
        Role mine = room.roleOf(me.userId(), me.admin());
        return new Members(id, room.memberships(), mine != null && mine.atLeast(Role.MODERATOR) ? room.banned() : null);
    }

    /** An owner or moderator adds someone to a private room. */
    public CompletableFuture<Fact.MembershipChanged> invite(Client me, RoomId id, UserId user) {
        Room room = hub.visibleRoom(me, id);
        if (room.kind != RoomKind.PRIVATE) {
            throw new RoomException(Refusal.BAD_STATE, room.kind == RoomKind.PUBLIC
                    ? "anyone may join a public room: there is no one to invite" : "a direct room is for its two people");
        }
        requireRole(room, me, Role.MODERATOR, "invite people to");
        if (room.isBanned(user)) throw new RoomException(Refusal.FORBIDDEN, "that person is banned from " + room.name + ": unban them first");
        Membership already = room.membership(user);
        if (already != null) {
            return CompletableFuture.completedFuture(new Fact.MembershipChanged(id, already.user(), already.role(), null, Hub.ref(me), me.sessionId()));
        }
        return store.person(user).thenCompose(person -> {
            if (person == null) throw Hub.noSuchUser(user);
            return change(new Fact.MembershipChanged(id, new UserRef(user, person.name()), Role.MEMBER, null, Hub.ref(me), me.sessionId()),
                    store.setMember(id, user, Role.MEMBER, me.userId(), clock.millis()));
        }).handle(Hub::orRefusal);
    }

    /** An owner gives someone a role in the room. */
    public CompletableFuture<Fact.MembershipChanged> setRole(Client me, RoomId id, UserId user, Role role) {
        Room room = hub.visibleRoom(me, id);
        if (room.kind == RoomKind.DIRECT) throw notInDirect();
        requireRole(room, me, Role.OWNER, "change roles in");
        if (room.kind == RoomKind.PRIVATE && !room.isMember(user)) throw Hub.noSuchUser(user);
        if (room.isBanned(user)) throw new RoomException(Refusal.FORBIDDEN, "that person is banned from " + room.name + ": unban them first");
        if (user.equals(me.userId()) && role != Role.OWNER && room.roleOf(user, false) == Role.OWNER && room.owners() <= 1) {
            throw new RoomException(Refusal.BAD_STATE, "you are the last owner of " + room.name + ": make someone else owner first");
        }
        Role stored = room.kind == RoomKind.PUBLIC && role == Role.MEMBER ? null : role;
        return known(room, user).thenCompose(who -> change(new Fact.MembershipChanged(id, who, role, null, Hub.ref(me), me.sessionId()),
                store.setMember(id, user, stored, me.userId(), clock.millis()))).handle(Hub::orRefusal);
    }

    /**
     * An owner or moderator removes someone from the room: from a private room for good (until invited again),
     * from a public one for now; with {@code ban}, they may not come back until unbanned.
     */
    public CompletableFuture<Fact.MembershipChanged> remove(Client me, RoomId id, UserId user, boolean ban) {
        Room room = hub.visibleRoom(me, id);
        if (room.kind == RoomKind.DIRECT) throw notInDirect();
        if (user.equals(me.userId())) throw new RoomException(Refusal.BAD_STATE, "to go, leave the room (or quit a private one)");
        requireRole(room, me, Role.MODERATOR, "remove people from");
        if (!ban && room.kind == RoomKind.PRIVATE && !room.isMember(user)) throw Hub.noSuchUser(user);
        // A server admin counts as an owner of a public room, as the target too.
        CompletableFuture<Boolean> targetIsAdmin = room.kind != RoomKind.PUBLIC ? CompletableFuture.completedFuture(false)
                : store.person(user).thenApply(p -> p != null && p.admin());
        String reason = ban ? "banned" : "kicked";
        long now = clock.millis();
        return targetIsAdmin.thenCompose(admin -> {
            Role mine = room.roleOf(me.userId(), me.admin()); // again: it may have changed while the account was read
            if (mine == null || !mine.atLeast(Role.MODERATOR)) throw new RoomException(Refusal.FORBIDDEN, "you are no longer a moderator of " + room.name);
            if (!mine.outranks(room.roleOf(user, admin))) {
                throw new RoomException(Refusal.FORBIDDEN, "a moderator cannot remove an owner or another moderator");
            }
            return known(room, user);
        }).thenCompose(who -> change(new Fact.MembershipChanged(id, who, null, reason, Hub.ref(me), me.sessionId()),
                ban ? store.ban(id, user, me.userId(), now) : store.setMember(id, user, null, null, now)))
                .handle(Hub::orRefusal);
    }

    public CompletableFuture<Fact.MembershipChanged> unban(Client me, RoomId id, UserId user) {
        Room room = hub.visibleRoom(me, id);
        if (room.kind == RoomKind.DIRECT) throw notInDirect();
        requireRole(room, me, Role.MODERATOR, "unban people from");
        UserRef who = room.banOf(user);
        if (who == null) throw new RoomException(Refusal.NO_SUCH_USER, "no one with id " + user.value() + " is banned from " + room.name);
        return change(new Fact.MembershipChanged(id, who, null, "unbanned", Hub.ref(me), me.sessionId()), store.unban(id, user))
                .handle(Hub::orRefusal);
    }

    /** The client gives up their membership of a private room. */
    public CompletableFuture<Fact.MembershipChanged> quit(Client me, RoomId id) {
        Room room = hub.visibleRoom(me, id);
        if (room.kind != RoomKind.PRIVATE) {
            throw new RoomException(Refusal.BAD_STATE, room.kind == RoomKind.PUBLIC ? "leave a public room with leave" : "a direct room cannot be quit");
        }
        if (room.roleOf(me.userId(), false) == Role.OWNER && room.owners() <= 1) {
            throw new RoomException(Refusal.BAD_STATE, "you are the last owner of " + room.name + ": make someone else owner, or delete the room");
        }
        return change(new Fact.MembershipChanged(id, Hub.ref(me), null, "quit", Hub.ref(me), me.sessionId()),
                store.setMember(id, me.userId(), null, null, clock.millis())).handle(Hub::orRefusal);
    }

    /** An owner deletes the room with its history and files; completes with the ids of its files. */
    public CompletableFuture<List<String>> deleteRoom(Client me, RoomId id) {
        Room room = hub.visibleRoom(me, id);
        if (room.kind == RoomKind.DIRECT) throw notInDirect();
        requireRole(room, me, Role.OWNER, "delete");
        return store.deleteRoom(id).thenApply(files -> {
            hub.publish(new Fact.RoomDeleted(id, Hub.ref(me), me.sessionId()));
            return files;
        }).handle(Hub::orRefusal);
    }

    private static void requireRole(Room room, Client me, Role needed, String what) {
        Role mine = room.roleOf(me.userId(), me.admin());
        if (mine == null || !mine.atLeast(needed)) {
            throw new RoomException(Refusal.FORBIDDEN, "only " + (needed == Role.OWNER ? "owners " : "owners and moderators ") + what + " " + room.name);
        }
    }

    /** The person as the room knows them (a member, or someone joined), else as their account says. */
    private CompletableFuture<UserRef> known(Room room, UserId user) {
        Membership m = room.membership(user);
        UserRef known = m != null ? m.user() : room.seatedOf(user).stream().findFirst().map(Hub::ref).orElse(null);
        if (known != null) return CompletableFuture.completedFuture(known);
        return store.person(user).thenApply(p -> {
            if (p == null) throw Hub.noSuchUser(user);
            return new UserRef(user, p.name());
        });
    }

    /** Once {@code stored} is durable, tells every node. */
    private CompletableFuture<Fact.MembershipChanged> change(Fact.MembershipChanged event, CompletableFuture<Void> stored) {
        return stored.thenApply(v -> {
            hub.publish(event);
            return event;
        });
    }

    private static RoomException notInDirect() {
        return new RoomException(Refusal.BAD_STATE, "a direct room has no roles: it is for its two people");
    }
}
