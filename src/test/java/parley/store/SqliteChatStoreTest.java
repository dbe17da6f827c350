package parley.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import parley.account.AccountStore.NewAccount;
import parley.room.ChatStore;
import parley.room.ChatStoreContract;
import parley.room.UserId;

/** The chat store's contract, on a SQLite file in a temporary directory (more of SQLite: {@link SqliteStoreTest}). */
class SqliteChatStoreTest extends ChatStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ChatStore open() {
        return new SqliteStore(dir.resolve("parley.db"), 64, 10_000, 2);
    }

    @Override
    protected void addPerson(UserId id, String username, String name, boolean admin) {
        ((SqliteStore) store).createAccount(new NewAccount(id, username, name, "$argon2id$hash-of-" + id, admin, 1_000), null, false).join();
    }
}
