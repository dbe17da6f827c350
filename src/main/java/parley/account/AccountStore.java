package parley.account;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import parley.room.UserId;

/**
 * Durable storage of accounts, their sessions and invitations: the port {@link Accounts} needs. It stores what it is given: passwords
 * arrive hashed and session tokens and invitation codes as their SHA-256, so nothing here can sign
 * anyone in. Usernames are unique ignoring case.
 *
 * <p>The futures complete on store threads; callers must not block them. Writes are durable when their
 * future completes; a write refused because the store is behind fails with
 * {@link parley.room.ChatStore.OverloadedException} (one writer serves both stores), having changed nothing.
 */
public interface AccountStore {

    /**
     * Creates an account, atomically with its checks: the first account of the store is always an admin
     * (whatever {@code account.admin()} says) and needs no invitation; any other needs one when
     * {@code invitationRequired}. A given {@code invitationHash} must name an unused, unexpired invitation,
     * which is then used up by this account (even when none was required).
     */
    CompletableFuture<Creation> createAccount(NewAccount account, String invitationHash, boolean invitationRequired);

    /** The account with this username, ignoring case; null when there is none. */
    CompletableFuture<Account> accountByUsername(String username);

    /** Whether any account exists (the first one may always sign up). */
    CompletableFuture<Boolean> hasAccounts();

    CompletableFuture<Void> createSession(NewSession session);

    /**
     * The account of the session whose token hashes to {@code tokenHash}, when it has not expired at
     * {@code now} and its account is not disabled; null otherwise.
     */
    CompletableFuture<SessionAccount> session(String tokenHash, long now);

    /** Records that the session was used at {@code now}. */
    CompletableFuture<Void> touchSession(String tokenHash, long now);

    /** Ends a session; false when there was none. */
    CompletableFuture<Boolean> deleteSession(String tokenHash);

    /** Sets the account's password hash and ends its sessions, except {@code keepTokenHash} (null: all). */
    CompletableFuture<Void> changePassword(UserId user, String passwordHash, String keepTokenHash);

    /**
     * Disables the account (ending all its sessions) or enables it again; the account as it is now, or null
     * when there is no such username.
     */
    CompletableFuture<Account> setDisabled(String username, boolean disabled, long now);

    /** Ids of the accounts disabled at or after {@code since} (so that their open sockets can be closed). */
    CompletableFuture<List<UserId>> disabledSince(long since);

    /** Whether an unused invitation with this code hash exists that has not expired at {@code now}. */
    CompletableFuture<Boolean> invitationValid(String codeHash, long now);

    CompletableFuture<Void> createInvitation(String codeHash, UserId createdBy, long created, long expires);

    /** Deletes sessions and unused invitations that expired before {@code now}; how many rows went. */
    CompletableFuture<Integer> deleteExpired(long now);

    /** {@code admin}: a server admin (any other account is a member). */
    record Account(UserId id, String username, String name, String passwordHash, boolean admin, boolean disabled, long created) {
        @Override
        public String toString() { // never the password hash, in any log
            return "Account[" + id + ", " + username + (admin ? ", admin" : ", member") + (disabled ? ", disabled" : "") + "]";
        }
    }

    record NewAccount(UserId id, String username, String name, String passwordHash, boolean admin, long created) {
        @Override
        public String toString() {
            return "NewAccount[" + id + ", " + username + "]";
        }
    }

    record NewSession(String tokenHash, UserId user, long created, long expires) {}

    /** A live session and its account; {@code lastUsed} lets the caller decide when to touch it. */
    record SessionAccount(Account account, long lastUsed, long expires) {}

    /** The outcome of {@link #createAccount}. */
    sealed interface Creation {
        record Created(Account account) implements Creation {}

        /** An account with this username, ignoring case, exists. */
        record UsernameTaken() implements Creation {}

        /** An invitation was required and none was given, or the one given is unknown, used or expired. */
        record InvitationRefused(boolean given) implements Creation {}
    }
}
