package parley.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import parley.room.CallLog;
import parley.room.CallLogContract;

/** The call log's contract, on a SQLite file in a temporary directory. */
class SqliteCallLogTest extends CallLogContract {
    @TempDir
    Path dir;

    @Override
    protected CallLog open() {
        return new SqliteStore(dir.resolve("parley.db"), 64, 10_000, 2);
    }

    @Override
    protected void close(CallLog log) {
        ((SqliteStore) log).close();
    }
}
