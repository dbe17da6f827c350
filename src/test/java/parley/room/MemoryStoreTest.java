package parley.room;

/** The in-memory store the domain tests use keeps the port's contract too. */
class MemoryStoreTest extends ChatStoreContract {

    @Override
    protected ChatStore open() {
        return new MemoryStore();
    }

    @Override
    protected void addPerson(UserId id, String username, String name, boolean admin) {
        ((MemoryStore) store).addPerson(id, username, name, admin);
    }
}
