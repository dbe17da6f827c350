package parley.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import parley.room.ChatStore.OverloadedException;

/**
 * Group commit over JDBC: every write of a store goes through one writer thread that owns one connection.
 * It takes whatever is queued (up to {@code batchMax} writes), runs them in one transaction and commits
 * once, so a burst of writes costs one commit (one fsync, where the database syncs its commits). Only then
 * are the outcomes reported, in commit order, on a separate completion thread, so the writer is already
 * committing the next batch while the previous one is delivered. Reads run on reader threads, each with a
 * connection of the reader pool, beside the writer.
 *
 * <p>The queue is bounded ({@code queueMax}): a write offered to a full queue, or after {@link #close},
 * fails at once on the caller's thread with {@link OverloadedException} or {@link IllegalStateException},
 * having changed nothing. Nothing here is particular to one database but the statement that begins a
 * batch's transaction.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** One unit of work for the writer thread; {@link #done} runs on the completion thread after the commit. */
    interface Write {
        void apply(Sql sql) throws SQLException;

        void done();

        void failed(Exception e);
    }

    /** What a store keeps for a batch as a whole: written just before its commit, forgotten if it rolls back. */
    interface BatchState {
        void beforeCommit(Sql sql) throws SQLException;

        void rolledBack();
    }

    private final Connection writerConnection;
    private final Sql writerSql; // writer thread only
    private final String begin;
    private final BatchState state;
    private final HikariDataSource readers;
    private final ExecutorService readerThreads;
    private final ExecutorService completions;
    private final BlockingQueue<Write> queue;
    private final Thread writer;
    private final int batchMax;
    private volatile boolean running = true;
    /** Told of each commit; the writer reads it once per batch. */
    private volatile CommitObserver observer = (writes, nanos) -> { };

    /** Told of each batch committed: how many writes it held and how long it took (nanoseconds). */
    interface CommitObserver {
        void committed(int writes, long nanos);
    }

    void observe(CommitObserver observer) {
        this.observer = observer;
    }

    /** Writes waiting for the writer. */
    int queued() {
        return queue.size();
    }

    /**
     * Takes over {@code writer} (in auto-commit: {@code begin} and COMMIT make each batch's transaction) and
     * {@code readers}, and closes both on {@link #close}.
     */
    GroupCommit(Connection writer, String begin, HikariDataSource readers, int readerPool, int batchMax, int queueMax,
                BatchState state) {
        this.writerConnection = writer;
        this.writerSql = Sql.keeping(writer);
        this.begin = begin;
        this.readers = readers;
        this.state = state;
        this.batchMax = batchMax;
        this.queue = new ArrayBlockingQueue<>(queueMax);
        this.readerThreads = Executors.newFixedThreadPool(readerPool, named("parley-store-read"));
        this.completions = Executors.newSingleThreadExecutor(named("parley-store-done"));
        this.writer = named("parley-store-write").newThread(this::writeLoop);
        this.writer.start();
    }

    private static ThreadFactory named(String name) {
        return Thread.ofPlatform().name(name + "-", 0).daemon(true).factory();
    }

    /** Under the queue's monitor, so that no write slips in after {@link #close} stopped taking them. */
    void enqueue(Write w) {
        boolean accepted;
        boolean open;
        synchronized (queue) {
            open = running;
            accepted = open && queue.offer(w);
        }
        if (!open) w.failed(new IllegalStateException("store is closed"));
        else if (!accepted) w.failed(new OverloadedException(queue.size()));
    }

    /**
     * A write whose result is a value, run inside its own savepoint so that its failure spares the rest of
     * its batch; the future completes after the commit.
     */
    <T> CompletableFuture<T> write(Sql.Work<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        enqueue(new Write() {
            T value;

            @Override
            public void apply(Sql sql) throws SQLException {
                sql.execute("SAVEPOINT one");
                try {
                    value = work.apply(sql);
                    sql.execute("RELEASE one");
                } catch (SQLException | RuntimeException e) {
                    sql.execute("ROLLBACK TO one");
                    sql.execute("RELEASE one");
                    throw new SavepointFailure(e);
                }
            }

            @Override
            public void done() {
                result.complete(value);
            }

            @Override
            public void failed(Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The failure of one savepoint-guarded write; the rest of its batch still commits. */
    private static final class SavepointFailure extends RuntimeException {
        SavepointFailure(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** A read on a reader thread, with a connection of the pool. */
    <T> CompletableFuture<T> read(Sql.Work<T> query) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = readers.getConnection()) {
                return query.apply(Sql.of(c));
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, readerThreads);
    }

    /** Whether the writer thread is running (it stops only once closed). */
    boolean writing() {
        return writer.isAlive();
    }

    private void writeLoop() {
        List<Write> batch = new ArrayList<>(batchMax);
        while (running || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, batchMax - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) {
                // commit() reports its own failures; this is a bug or an Error: keep the writer alive.
                log.error("store writer failed on a batch of {}", batch.size(), e);
                List<Write> all = List.copyOf(batch);
                Exception cause = e instanceof Exception ex ? ex : new IllegalStateException(e);
                completions.execute(() -> all.forEach(w -> report(() -> w.failed(cause))));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Write> batch) {
        List<Write> succeeded = new ArrayList<>(batch.size());
        List<Map.Entry<Write, Exception>> refused = new ArrayList<>();
        long started = System.nanoTime();
        try {
            // SQLite's BEGIN IMMEDIATE takes the write lock up front, so a lock held by another program (the
            // sqlite3 shell, say) is waited out with the busy timeout instead of failing the batch midway.
            writerSql.execute(begin);
            for (Write w : batch) {
                try {
                    w.apply(writerSql);
                    succeeded.add(w);
                } catch (SavepointFailure e) {
                    refused.add(Map.entry(w, (Exception) e.getCause()));
                }
            }
            state.beforeCommit(writerSql);
            writerSql.execute("COMMIT");
            observer.committed(batch.size(), System.nanoTime() - started);
        } catch (SQLException | RuntimeException e) {
            log.error("store commit of {} writes failed; none of them is stored", batch.size(), e);
            try {
                writerSql.execute("ROLLBACK"); // fails harmlessly when BEGIN itself failed
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            state.rolledBack();
            List<Write> all = List.copyOf(batch);
            completions.execute(() -> all.forEach(w -> report(() -> w.failed(e))));
            return;
        }
        completions.execute(() -> {
            // Refusals first is fine: they carry no sequence number.
            refused.forEach(r -> report(() -> r.getKey().failed(r.getValue())));
            succeeded.forEach(w -> report(w::done));
        });
    }

    /** One callback that throws must not keep the rest of its batch from being reported. */
    private static void report(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.error("a store callback failed", e);
        }
    }

    /** Stops taking writes, commits what is queued, reports it, and closes the connections. */
    @Override
    public void close() {
        synchronized (queue) {
            running = false;
        }
        try {
            writer.join(10_000);
            // Only if the writer did not finish in time are writes left: fail them rather than drop them.
            List<Write> stranded = new ArrayList<>();
            queue.drainTo(stranded);
            IllegalStateException closed = new IllegalStateException("store is closed");
            stranded.forEach(w -> completions.execute(() -> w.failed(closed)));
            completions.shutdown();
            completions.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readerThreads.shutdown();
        readers.close();
        try (writerConnection) {
            writerSql.close();
        } catch (SQLException e) {
            log.warn("closing the writer connection failed", e);
        }
    }
}
