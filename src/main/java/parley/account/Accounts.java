package parley.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import parley.account.AccountException.Kind;
import parley.room.Ids;
import parley.room.UserId;
import parley.account.AccountStore.Account;
import parley.account.AccountStore.Creation;

/**
 * Accounts and their sessions: sign-up, sign-in, sign-out, password change, invitations, disabling.
 * Plain Java over an {@link AccountStore}; the HTTP side (and the {@code user} command) call it.
 *
 * <p>Every future fails with {@link AccountException} when the operation is refused, and completes on a
 * store thread or a hashing thread: callers hop back to their own thread. Password hashing runs on a
 * small pool of its own ({@code hashThreads} threads, a short queue): when it is full, operations that
 * need a hash fail with {@link Kind#BUSY} at once instead of queueing without bound.
 *
 * <p>A session is a random 256-bit token held by the browser (a cookie); the store keeps its SHA-256.
 * Sessions last {@code sessionLife} from sign-in, then the person signs in again.
 */
public final class Accounts implements AutoCloseable {

    public enum SignUp {
        /** Anyone who reaches the server may create an account. */
        OPEN,
        /** An admin's invitation is needed (except for the very first account). */
        INVITE
    }

    /** See the settings of the same names. */
    public record Policy(SignUp signUp, Duration sessionLife, int failuresPerAccount, int failuresPerAddress,
                         Duration failureWindow, int hashThreads) {}

    /** Someone with an account, as the rest of the server sees them. */
    public record User(UserId id, String username, String name, boolean admin) {}

    /** A new session: {@code token} goes to the browser once and is never stored. */
    public record SignedIn(User user, String token, long expires) {
        @Override
        public String toString() {
            return "SignedIn[" + user + "]";
        }
    }

    /** A live session; its {@code tokenHash} names it to the rest of the server (open sockets are registered under it). */
    /** {@code expires}: when the session ends by itself (epoch ms), {@code session-days} after sign-in. */
    public record Session(User user, String tokenHash, long expires) {}

    public record Invitation(String code, long expires) {
        @Override
        public String toString() {
            return "Invitation[expires " + expires + "]";
        }
    }

    /** How long an invitation may wait to be used. */
    public static final Duration INVITATION_LIFE = Duration.ofDays(7);
    /** A session's last use is written at most this often (each write is a commit). */
    private static final long TOUCH_EVERY_MS = Duration.ofMinutes(10).toMillis();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AccountStore store;
    private final Passwords passwords;
    private final Clock clock;
    private final Policy policy;
    private final Throttle perAccount;
    private final Throttle perAddress;
    private final ThreadPoolExecutor hashing;
    /** Verified when the username is unknown, so that a wrong username takes as long as a wrong password. */
    private final CompletableFuture<String> decoy;

    public Accounts(AccountStore store, Passwords passwords, Clock clock, Policy policy) {
        this.store = store;
        this.passwords = passwords;
        this.clock = clock;
        this.policy = policy;
        this.perAccount = new Throttle(policy.failuresPerAccount(), policy.failureWindow(), System::nanoTime);
        this.perAddress = new Throttle(policy.failuresPerAddress(), policy.failureWindow(), System::nanoTime);
        this.hashing = new ThreadPoolExecutor(policy.hashThreads(), policy.hashThreads(), 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(64), Thread.ofPlatform().name("parley-passwords-", 0).daemon(true).factory(),
                new ThreadPoolExecutor.AbortPolicy());
        this.decoy = CompletableFuture.supplyAsync(() -> passwords.hash("not anyone's password"), hashing);
    }

    public SignUp signUpMode() {
        return policy.signUp();
    }

    /** True while no account exists: the next sign-up becomes the admin, invitation or not. */
    public CompletableFuture<Boolean> firstAccount() {
        return store.hasAccounts().thenApply(any -> !any);
    }

    /**
     * Creates an account and signs it in. The username, password and name are checked first, then
     * (before any hashing) that sign-up is allowed and the username free.
     */
    public CompletableFuture<SignedIn> signUp(String username, String name, String password, String invitation, String address) {
        return refusing(() -> doSignUp(username, name, password, invitation, address));
    }

    private CompletableFuture<SignedIn> doSignUp(String username, String name, String password, String invitation, String address) {
        String u = Credentials.username(username);
        String n = Credentials.displayName(name, u);
        String p = Credentials.password("password", password);
        String code = Credentials.invitation(invitation);
        String codeHash = code == null ? null : sha256(code);
        long now = clock.millis();
        boolean required = policy.signUp() == SignUp.INVITE;
        CompletableFuture<Boolean> allowed = codeHash != null ? store.invitationValid(codeHash, now)
                : required ? firstAccount() : CompletableFuture.completedFuture(true);
        return allowed.thenCompose(ok -> {
            if (!ok) {
                if (codeHash != null) perAddress.failed(address); // guessing codes costs like guessing passwords
                throw invitationRefused(codeHash != null);
            }
            return store.accountByUsername(u);
        }).thenCompose(existing -> {
            if (existing != null) throw AccountException.of(Kind.TAKEN, "the username " + u + " is taken");
            return hash(() -> passwords.hash(p));
        }).thenCompose(hash -> store.createAccount(new AccountStore.NewAccount(new UserId(Ids.random("u_")), u, n, hash, false, now),
                codeHash, required)).thenCompose(created -> switch (created) {
                    case Creation.Created c -> newSession(c.account());
                    case Creation.UsernameTaken t -> throw AccountException.of(Kind.TAKEN, "the username " + u + " is taken");
                    case Creation.InvitationRefused r -> throw invitationRefused(r.given());
                });
    }

    private static AccountException invitationRefused(boolean given) {
        return AccountException.of(Kind.INVITATION_REQUIRED, given
                ? "this invitation is not valid: it is unknown, used or expired"
                : "signing up needs an invitation from an admin");
    }

    /**
     * Checks the password and opens a session. Refused with {@link Kind#TOO_MANY_ATTEMPTS} before any
     * hashing when the account or the address failed too often lately; a wrong password, an unknown
     * username and a disabled account fail alike ({@link Kind#BAD_CREDENTIALS}), after the same work.
     */
    public CompletableFuture<SignedIn> signIn(String username, String password, String address) {
        return refusing(() -> doSignIn(username, password, address));
    }

    private CompletableFuture<SignedIn> doSignIn(String username, String password, String address) {
        String key = Credentials.username(username).toLowerCase(Locale.ROOT);
        String p = Credentials.givenPassword("password", password);
        return attempt(key, address, () -> store.accountByUsername(key).thenCompose(account ->
                hash(() -> passwords.verify(p, account != null ? account.passwordHash() : decoy.join()) && account != null
                        ? account : null)), Accounts::refused
        ).thenCompose(account -> {
            if (refused(account)) throw AccountException.of(Kind.BAD_CREDENTIALS, "wrong username or password");
            return newSession(account);
        });
    }

    /**
     * No account, a wrong password, or a disabled account: all three answer alike and count as a failed
     * attempt, so that a disabled account does not tell whoever guesses that the password was right.
     */
    private static boolean refused(Account passwordChecked) {
        return passwordChecked == null || passwordChecked.disabled();
    }

    /**
     * Runs a password {@code check} as an attempt of the account and of the address, taken from their
     * throttles before it starts (or refused with {@link Kind#TOO_MANY_ATTEMPTS}, unchecked), kept when
     * the result is {@code wrong}, and given back otherwise: the password was right, or was never checked
     * (storage failing, too busy to hash). Taken before, so that checks started at once cannot outnumber
     * the attempts left.
     */
    private <T> CompletableFuture<T> attempt(String accountKey, String address, Supplier<CompletableFuture<T>> check,
                                             Predicate<T> wrong) {
        long wait = perAccount.take(accountKey);
        if (wait > 0) {
            throw AccountException.tooMany(Math.max(wait, perAddress.retryAfterSeconds(address)));
        }
        wait = perAddress.take(address);
        if (wait > 0) {
            perAccount.giveBack(accountKey);
            throw AccountException.tooMany(wait);
        }
        CompletableFuture<T> checked;
        try {
            checked = check.get();
        } catch (RuntimeException e) { // a store that refuses at once (closing): given back like any failure
            checked = CompletableFuture.failedFuture(e);
        }
        return checked.whenComplete((result, e) -> {
            if (e != null || !wrong.test(result)) {
                perAccount.giveBack(accountKey);
                perAddress.giveBack(address);
            }
        });
    }

    private CompletableFuture<SignedIn> newSession(Account account) {
        String token = newSecret(32);
        long now = clock.millis();
        long expires = now + policy.sessionLife().toMillis();
        return store.createSession(new AccountStore.NewSession(sha256(token), account.id(), now, expires))
                .thenApply(v -> new SignedIn(user(account), token, expires));
    }

    /** The live session of {@code token}, or null (no such token, expired, or its account disabled). */
    public CompletableFuture<Session> session(String token) {
        if (token == null || token.length() != 43) return CompletableFuture.completedFuture(null);
        String hash = sha256(token);
        long now = clock.millis();
        return store.session(hash, now).thenApply(s -> {
            if (s == null) return null;
            if (now - s.lastUsed() > TOUCH_EVERY_MS) store.touchSession(hash, now);
            return new Session(user(s.account()), hash, s.expires());
        });
    }

    /** Ends the session of {@code token}; its hash (to close its sockets), or null when there was none. */
    public CompletableFuture<String> signOut(String token) {
        if (token == null) return CompletableFuture.completedFuture(null);
        String hash = sha256(token);
        return store.deleteSession(hash).thenApply(deleted -> deleted ? hash : null);
    }

    /**
     * Sets a new password, when {@code current} is right, and ends every other session of the account
     * (this one stays). A wrong current password counts as a failed sign-in.
     */
    public CompletableFuture<Void> changePassword(Session session, String current, String next, String address) {
        return refusing(() -> doChangePassword(session, current, next, address));
    }

    private CompletableFuture<Void> doChangePassword(Session session, String current, String next, String address) {
        String given = Credentials.givenPassword("current", current);
        String p = Credentials.password("password", next);
        String key = session.user().username().toLowerCase(Locale.ROOT);
        return attempt(key, address, () -> store.accountByUsername(key).thenCompose(account -> {
            if (account == null || account.disabled()) throw AccountException.of(Kind.SIGNED_OUT, "sign in again");
            return hash(() -> passwords.verify(given, account.passwordHash()) ? passwords.hash(p) : null);
        }), hash -> hash == null).thenCompose(hash -> {
            if (hash == null) throw AccountException.invalid("current", "the current password is not right");
            return store.changePassword(session.user().id(), hash, session.tokenHash());
        });
    }

    /** A single-use invitation code, valid for {@link #INVITATION_LIFE}; admins only. */
    public CompletableFuture<Invitation> invite(Session session) {
        return refusing(() -> doInvite(session));
    }

    private CompletableFuture<Invitation> doInvite(Session session) {
        requireAdmin(session);
        String code = newSecret(16);
        long now = clock.millis();
        long expires = now + INVITATION_LIFE.toMillis();
        return store.createInvitation(sha256(code), session.user().id(), now, expires)
                .thenApply(v -> new Invitation(code, expires));
    }

    /** Disables (ending every session) or enables an account; admins only, and not their own. */
    public CompletableFuture<User> setDisabled(Session session, String username, boolean disabled) {
        return refusing(() -> {
            requireAdmin(session);
            String u = Credentials.username(username);
            if (u.equalsIgnoreCase(session.user().username())) {
                throw AccountException.invalid("username", "you cannot disable your own account");
            }
            return setDisabled(u, disabled);
        });
    }

    /** As {@link #setDisabled(Session, String, boolean)}, for the {@code user} command (no session). */
    public CompletableFuture<User> setDisabled(String username, boolean disabled) {
        return refusing(() -> store.setDisabled(Credentials.username(username), disabled, clock.millis()).thenApply(account -> {
            if (account == null) throw AccountException.of(Kind.NO_SUCH_USER, "there is no user " + username);
            return user(account);
        }));
    }

    /** Creates an account without an invitation (the {@code user add} command): whoever runs it owns the server. */
    public CompletableFuture<User> add(String username, String name, String password, boolean admin) {
        return refusing(() -> doAdd(username, name, password, admin));
    }

    private CompletableFuture<User> doAdd(String username, String name, String password, boolean admin) {
        String u = Credentials.username(username);
        String n = Credentials.displayName(name, u);
        String p = Credentials.password("password", password);
        return hash(() -> passwords.hash(p))
                .thenCompose(hash -> store.createAccount(new AccountStore.NewAccount(new UserId(Ids.random("u_")), u, n, hash, admin,
                        clock.millis()), null, false))
                .thenApply(created -> switch (created) {
                    case Creation.Created c -> user(c.account());
                    case Creation.UsernameTaken t -> throw AccountException.of(Kind.TAKEN, "the username " + u + " is taken");
                    case Creation.InvitationRefused r -> throw new IllegalStateException("no invitation was asked for");
                });
    }

    /** Accounts disabled at or after {@code since}, by this process or another (the {@code user} command). */
    public CompletableFuture<List<UserId>> disabledSince(long since) {
        return store.disabledSince(since);
    }

    /** Forgets expired sessions and invitations. */
    public CompletableFuture<Integer> deleteExpired() {
        return store.deleteExpired(clock.millis());
    }

    private static void requireAdmin(Session session) {
        if (!session.user().admin()) throw AccountException.of(Kind.NOT_ADMIN, "only an admin may do this");
    }

    /** Refusals found before any future exists fail the future too, so that callers handle them in one place. */
    private static <T> CompletableFuture<T> refusing(Supplier<CompletableFuture<T>> operation) {
        try {
            return operation.get();
        } catch (AccountException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> CompletableFuture<T> hash(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, hashing);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(AccountException.of(Kind.BUSY, "the server is busy checking passwords; try again"));
        }
    }

    private static User user(Account a) {
        return new User(a.id(), a.username(), a.name(), a.admin());
    }

    /** The AccountException behind a failed future's exception, or null when it failed otherwise. */
    public static AccountException refusal(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof AccountException a ? a : null;
    }

    private static String newSecret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hashing.shutdownNow();
    }
}
