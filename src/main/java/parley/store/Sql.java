package parley.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import parley.room.RoomId;
import parley.room.UserId;

/**
 * The JDBC plumbing every SQL method shares: prepare, bind, execute, map the rows. Arguments bind by their
 * type: text, whole numbers, booleans, null, and the domain's ids as their text.
 *
 * <p>One {@code Sql} serves one connection on one thread. The writer's keeps its statements prepared
 * ({@link #keeping}): each batch runs the same few again and again. A reader's prepares and closes them
 * per use ({@link #of}), as its connection goes back to the pool.
 */
final class Sql implements AutoCloseable {

    /** Maps the current row. */
    @FunctionalInterface
    interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    /** Work done with one connection: a read, or one write of a batch. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Sql sql) throws SQLException;
    }

    private final Connection connection;
    private final Map<String, PreparedStatement> kept; // null: nothing is kept

    private Sql(Connection connection, Map<String, PreparedStatement> kept) {
        this.connection = connection;
        this.kept = kept;
    }

    /** Prepares each statement once and keeps it until {@link #close}. */
    static Sql keeping(Connection connection) {
        return new Sql(connection, new HashMap<>());
    }

    static Sql of(Connection connection) {
        return new Sql(connection, null);
    }

    /** Runs a statement that gives nothing back (BEGIN, COMMIT, SAVEPOINT, ...). */
    void execute(String sql) throws SQLException {
        PreparedStatement s = prepare(sql, new Object[0]);
        try {
            s.execute();
        } finally {
            release(s);
        }
    }

    /** Runs an insert, update or delete; how many rows it changed. */
    int update(String sql, Object... args) throws SQLException {
        PreparedStatement s = prepare(sql, args);
        try {
            return s.executeUpdate();
        } finally {
            release(s);
        }
    }

    /** Every row, mapped, in the order the query gives them. */
    <T> List<T> list(String sql, Row<T> row, Object... args) throws SQLException {
        PreparedStatement s = prepare(sql, args);
        try (ResultSet r = s.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (r.next()) out.add(row.map(r));
            return out;
        } finally {
            release(s);
        }
    }

    /** The first row, mapped; null when there is none. */
    <T> T one(String sql, Row<T> row, Object... args) throws SQLException {
        PreparedStatement s = prepare(sql, args);
        try (ResultSet r = s.executeQuery()) {
            return r.next() ? row.map(r) : null;
        } finally {
            release(s);
        }
    }

    /** Whether the query gives any row. */
    boolean exists(String sql, Object... args) throws SQLException {
        return one(sql, r -> Boolean.TRUE, args) != null;
    }

    private PreparedStatement prepare(String sql, Object[] args) throws SQLException {
        PreparedStatement s = kept == null ? null : kept.get(sql);
        if (s == null) {
            s = connection.prepareStatement(sql);
            if (kept != null) kept.put(sql, s);
        }
        try {
            for (int i = 0; i < args.length; i++) bind(s, i + 1, args[i]);
        } catch (SQLException | RuntimeException e) {
            release(s);
            throw e;
        }
        return s;
    }

    private static void bind(PreparedStatement s, int i, Object arg) throws SQLException {
        switch (arg) {
            case null -> s.setNull(i, Types.NULL);
            case String text -> s.setString(i, text);
            case Long n -> s.setLong(i, n);
            case Integer n -> s.setInt(i, n);
            case Boolean b -> s.setBoolean(i, b);
            case RoomId id -> s.setString(i, id.value());
            case UserId id -> s.setString(i, id.value());
            default -> throw new IllegalArgumentException("cannot bind a " + arg.getClass().getSimpleName());
        }
    }

    private void release(PreparedStatement s) throws SQLException {
        if (kept == null) s.close();
    }

    /** Closes the kept statements (the connection is its owner's). */
    @Override
    public void close() throws SQLException {
        if (kept == null) return;
        SQLException failure = null;
        for (PreparedStatement s : kept.values()) {
            try {
                s.close();
            } catch (SQLException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        kept.clear();
        if (failure != null) throw failure;
    }
}
