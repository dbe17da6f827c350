package parley.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import parley.account.AccountStore.Account;
import parley.account.AccountStore.Creation;
import parley.account.AccountStore.NewAccount;
import parley.account.AccountStore.NewSession;
import parley.account.AccountStore.SessionAccount;
import parley.room.UserId;

/**
 * The SQL of {@link parley.account.AccountStore}: accounts, sessions and invitations. Writes run on the group
 * commit's writer, reads on its readers ({@link SqlStore} says which is which). The {@code role} column
 * keeps its words, {@code admin} or {@code member}: an account is an admin or not.
 */
final class AccountSql {
    private static final String ACCOUNT_COLUMNS = "a.id, a.username, a.name, a.password_hash, a.role, a.disabled_at, a.created_at";
    private static final String BY_USERNAME = "SELECT " + ACCOUNT_COLUMNS + " FROM accounts a WHERE a.username_key = ?";
    private static final String VALID_INVITATION = "SELECT 1 FROM invitations WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?";

    private AccountSql() {}

    private static Account account(ResultSet r) throws SQLException {
        return new Account(new UserId(r.getString(1)), r.getString(2), r.getString(3), r.getString(4),
                "admin".equals(r.getString(5)), r.getObject(6) != null, r.getLong(7));
    }

    private static String usernameKey(String username) {
        return username.toLowerCase(Locale.ROOT);
    }

    // ---- writes ---------------------------------------------------------------------------------

    static Creation createAccount(Sql sql, NewAccount a, String invitationHash, boolean invitationRequired) throws SQLException {
        boolean first = !sql.exists("SELECT 1 FROM accounts");
        if (sql.exists("SELECT 1 FROM accounts WHERE username_key = ?", usernameKey(a.username()))) {
            return new Creation.UsernameTaken();
        }
        boolean invited = invitationHash != null && sql.exists(VALID_INVITATION, invitationHash, a.created());
        if (invitationHash != null && !invited) return new Creation.InvitationRefused(true);
        if (invitationHash == null && invitationRequired && !first) return new Creation.InvitationRefused(false);
        boolean admin = first || a.admin();
        sql.update("""
                INSERT INTO accounts (id, username, username_key, name, password_hash, role, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""",
                a.id(), a.username(), usernameKey(a.username()), a.name(), a.passwordHash(), admin ? "admin" : "member", a.created());
        if (invited) sql.update("UPDATE invitations SET used_by = ? WHERE code_hash = ?", a.id(), invitationHash);
        return new Creation.Created(new Account(a.id(), a.username(), a.name(), a.passwordHash(), admin, false, a.created()));
    }

    static Void createSession(Sql sql, NewSession s) throws SQLException {
        sql.update("INSERT INTO sessions (token_hash, user_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                s.tokenHash(), s.user(), s.created(), s.created(), s.expires());
        return null;
    }

    static Void touchSession(Sql sql, String tokenHash, long now) throws SQLException {
        sql.update("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?", now, tokenHash);
        return null;
    }

    static boolean deleteSession(Sql sql, String tokenHash) throws SQLException {
        return sql.update("DELETE FROM sessions WHERE token_hash = ?", tokenHash) == 1;
    }

    static Void changePassword(Sql sql, UserId user, String passwordHash, String keepTokenHash) throws SQLException {
        if (sql.update("UPDATE accounts SET password_hash = ? WHERE id = ?", passwordHash, user) != 1) {
            throw new SQLException("no such account: " + user);
        }
        sql.update("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?", user, keepTokenHash);
        return null;
    }

    static Account setDisabled(Sql sql, String username, boolean disabled, long now) throws SQLException {
        Account account = accountByUsername(sql, username);
        if (account == null || account.disabled() == disabled) return account;
        sql.update("UPDATE accounts SET disabled_at = ? WHERE id = ?", disabled ? now : null, account.id());
        if (disabled) sql.update("DELETE FROM sessions WHERE user_id = ?", account.id());
        return new Account(account.id(), account.username(), account.name(), account.passwordHash(), account.admin(),
                disabled, account.created());
    }

    static Void createInvitation(Sql sql, String codeHash, UserId createdBy, long created, long expires) throws SQLException {
        sql.update("INSERT INTO invitations (code_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)",
                codeHash, createdBy, created, expires);
        return null;
    }

    static int deleteExpired(Sql sql, long now) throws SQLException {
        return sql.update("DELETE FROM sessions WHERE expires_at <= ?", now)
                + sql.update("DELETE FROM invitations WHERE expires_at <= ? AND used_by IS NULL", now);
    }

    // ---- reads ----------------------------------------------------------------------------------

    static Account accountByUsername(Sql sql, String username) throws SQLException {
        return sql.one(BY_USERNAME, AccountSql::account, usernameKey(username));
    }

    static boolean hasAccounts(Sql sql) throws SQLException {
        return sql.exists("SELECT 1 FROM accounts");
    }

    static SessionAccount session(Sql sql, String tokenHash, long now) throws SQLException {
        return sql.one("SELECT " + ACCOUNT_COLUMNS + ", s.last_used_at, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.user_id"
                + " WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled_at IS NULL",
                r -> new SessionAccount(account(r), r.getLong(8), r.getLong(9)), tokenHash, now);
    }

    static List<UserId> disabledSince(Sql sql, long since) throws SQLException {
        return sql.list("SELECT id FROM accounts WHERE disabled_at >= ?", r -> new UserId(r.getString(1)), since);
    }

    static boolean invitationValid(Sql sql, String codeHash, long now) throws SQLException {
        return sql.exists(VALID_INVITATION, codeHash, now);
    }
}
