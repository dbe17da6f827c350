package parley.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import parley.room.ChatMessage;
import parley.room.ChatStore;
import parley.room.RoomId;
import parley.room.RoomKind;
import parley.room.Search;
import parley.room.UserId;
import parley.store.SqliteStore;

/**
 * Search latency over a store of many messages. Fills a fresh {@link SqliteStore} through its ordinary
 * append path (so the fill rate is the write path's with the search index kept in step) with
 * {@code messages} messages (1,000,000 by default) spread over 100 public rooms and 20 private ones:
 * sentences drawn from a vocabulary of 2,000 made-up words, one message in ten in Japanese, a few rare
 * words planted at known rates. Then runs each kind of query {@code runs} times one after the other (after
 * a warm-up) as a person who sees every public room and one private room would, and prints one JSON line
 * per kind with the median and 99th percentile of the store's search call. Run with
 * {@code ./parley bench search}; {@code -Dmessages=} and {@code -Druns=} change the sizes.
 */
public final class SearchBench {
    private static final int PUBLIC_ROOMS = 100;
    private static final int PRIVATE_ROOMS = 20;

    /** A kind of query: its words, and whether it reads one room only. */
    private record Query(String kind, String query, boolean oneRoom) {}

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("messages", 1_000_000);
        int runs = Integer.getInteger("runs", 200);
        Path dir = Files.createTempDirectory("parley-search-bench");
        try (SqliteStore store = new SqliteStore(dir.resolve("bench.db"), 1000, 100_000, 2)) {
            List<RoomId> rooms = new ArrayList<>();
            for (int r = 0; r < PUBLIC_ROOMS + PRIVATE_ROOMS; r++) {
                RoomKind kind = r < PUBLIC_ROOMS ? RoomKind.PUBLIC : RoomKind.PRIVATE;
                rooms.add(store.createRoom(new ChatStore.NewRoom(new RoomId("r" + r), "room " + r, "", null, 0, kind, null,
                        List.of())).join().id());
            }
            long fillStart = System.nanoTime();
            fill(store, rooms, messages);
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            long dbBytes = Files.size(dir.resolve("bench.db")) + sizeOrZero(dir.resolve("bench.db-wal"));
            System.out.println(String.format(Locale.ROOT,
                    "{\"scenario\":\"search\",\"kind\":\"fill\",\"server\":\"parley\",\"messages\":%d,\"seconds\":%.1f,\"appended_per_s\":%.0f,\"db_mb\":%.0f}",
                    messages, fillSeconds, messages / fillSeconds, dbBytes / 1e6));

            Set<RoomId> seen = new HashSet<>(rooms.subList(0, PUBLIC_ROOMS));
            seen.add(rooms.get(PUBLIC_ROOMS)); // one private room
            for (Query q : List.of(
                    new Query("common word (1 in 20 messages)", "meeting", false),
                    new Query("rare word (1 in 10,000)", "zanzibar", false),
                    new Query("part of a word", "eeti", false),
                    new Query("two words", "meeting budget", false),
                    new Query("three letters, very common", "the", false),
                    new Query("CJK, 3 characters", "京タワ", false),
                    new Query("no match", "qqxyz", false),
                    new Query("word only in rooms one cannot see", "quokka", false),
                    new Query("common word, one room", "meeting", true),
                    new Query("rare word, one room", "zanzibar", true))) {
                Set<RoomId> in = q.oneRoom() ? Set.of(rooms.get(7)) : seen;
                measure(store, q, in, runs);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static long sizeOrZero(Path p) throws java.io.IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }

    private static void fill(SqliteStore store, List<RoomId> rooms, int messages) throws InterruptedException {
        Random random = new Random(42);
        String[] vocabulary = new String[2000];
        for (int i = 0; i < vocabulary.length; i++) vocabulary[i] = word(random);
        String[] japanese = {"東京タワーに行きました", "会議は明日です", "予算の件で相談があります", "京都の寺を見ました", "ありがとうございます"};
        Semaphore window = new Semaphore(2048);
        AtomicLong failed = new AtomicLong();
        for (int n = 0; n < messages; n++) {
            String text;
            if (n % 10 == 9) {
                text = japanese[random.nextInt(japanese.length)];
            } else {
                StringBuilder b = new StringBuilder(random.nextInt(3) == 0 ? "the " : "");
                int words = 4 + random.nextInt(12);
                for (int w = 0; w < words; w++) b.append(vocabulary[(int) Math.abs(random.nextGaussian() * 400) % vocabulary.length]).append(' ');
                if (n % 20 == 3) b.append("meeting ");
                if (n % 40 == 3) b.append("budget ");
                if (n % 10_000 == 11) b.append("zanzibar ");
                text = b.toString().strip();
            }
            RoomId room = rooms.get(random.nextInt(rooms.size()));
            if (rooms.indexOf(room) > PUBLIC_ROOMS && n % 100 == 5) text = text + " quokka";
            window.acquire();
            store.append(new ChatStore.NewMessage(room, new UserId("u" + (n % 50)), "user " + (n % 50), "c" + n, text, n), outcome -> {
                if (!(outcome instanceof ChatStore.AppendOutcome.Stored)) failed.incrementAndGet();
                window.release();
            });
        }
        window.acquire(2048);
        if (failed.get() > 0) throw new IllegalStateException(failed.get() + " appends failed");
    }

    /** A made-up word of 3 to 9 lower-case letters (none of the planted ones: no z or q). */
    private static String word(Random random) {
        char[] c = new char[3 + random.nextInt(7)];
        for (int i = 0; i < c.length; i++) c[i] = "abcdefghijklmnoprstuvwy".charAt(random.nextInt(23));
        return new String(c);
    }

    private static void measure(SqliteStore store, Query q, Set<RoomId> rooms, int runs) {
        Search search = new Search(Search.words(q.query()), rooms, null, 21);
        int found = 0;
        for (int i = 0; i < 20; i++) found = store.search(search).join().size();
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            List<ChatMessage> page = store.search(search).join();
            nanos[i] = System.nanoTime() - t;
            found = page.size();
        }
        Arrays.sort(nanos);
        System.out.println(String.format(Locale.ROOT,
                "{\"scenario\":\"search\",\"server\":\"parley\",\"kind\":\"%s\",\"query\":\"%s\",\"rooms\":%d,\"runs\":%d,\"results\":%d,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}",
                q.kind(), q.query(), rooms.size(), runs, found, nanos[runs / 2] / 1e6, nanos[(int) (runs * 0.99) - 1] / 1e6,
                nanos[runs - 1] / 1e6));
    }
}
