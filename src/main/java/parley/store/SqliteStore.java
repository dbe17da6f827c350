package parley.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The default store: one SQLite file in WAL mode, migrated by Flyway ({@code resources/db/migration}) when
 * opened, serving both ports ({@link SqlStore}). Its writer commits with {@code synchronous=FULL}: a batch
 * is on disk before its outcomes are reported. {@code BEGIN IMMEDIATE} takes the write lock at the start
 * of each batch. Reads use a small pool of read-only connections, which WAL lets run beside the writer.
 */
public final class SqliteStore extends SqlStore {

    public SqliteStore(Path file, int batchMax, int queueMax, int readerPool) {
        super(open(file, readerPool), batchMax, queueMax);
    }

    private static Database open(Path file, int readerPool) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            String url = "jdbc:sqlite:" + file.toAbsolutePath();
            SQLiteDataSource writerSource = dataSource(url, false);
            Flyway.configure().dataSource(writerSource).locations("classpath:db/migration").load().migrate();
            Connection writer = writerSource.getConnection(); // auto-commit: the group commit begins and commits each batch

            HikariConfig pool = new HikariConfig();
            pool.setDataSource(dataSource(url, true));
            pool.setMaximumPoolSize(readerPool);
            pool.setPoolName("parley-readers");
            pool.setReadOnly(true);
            return new Database(writer, "BEGIN IMMEDIATE", new HikariDataSource(pool), readerPool);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the SQLite store at " + file + ": " + e.getMessage(), e);
        }
    }

    private static SQLiteDataSource dataSource(String url, boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(10_000);
        config.enforceForeignKeys(true);
        config.setReadOnly(readOnly);
        // Text that an edit or a deletion replaced is zeroed where it lay, not left in free space in the file;
        // FAST does so only where it costs no more I/O (it does not zero the write-ahead log: docs/security.md).
        if (!readOnly) config.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "FAST");
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl(url);
        return source;
    }
}
