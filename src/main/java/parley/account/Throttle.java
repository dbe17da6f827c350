package parley.account;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Attempts per key (an account, an address), as token buckets: each key may spend {@code allowed}
 * attempts at once, and earns one more every {@code window / allowed}; so over any long stretch at most
 * {@code allowed} attempts per {@code window} are spent. Keys whose bucket is full again are forgotten,
 * so memory follows the keys tried recently. Thread-safe.
 *
 * <p>An attempt is {@linkplain #take taken} before the work it guards (checking a password) and
 * {@linkplain #giveBack given back} when that work finds nothing wrong: taking is what makes requests
 * sent at once wait for each other, since a check of the bucket followed later by a count lets all of
 * them through before the first is counted.
 */
public final class Throttle {
    private final int allowed;
    private final long nanosPerAttempt;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new HashMap<>();
    private int sinceSweep;

    private static final class Bucket {
        double tokens;
        long last;
    }

    public Throttle(int allowed, Duration window, LongSupplier nanoTime) {
        this.allowed = allowed;
        this.nanosPerAttempt = window.toNanos() / allowed;
        this.nanoTime = nanoTime;
    }

    /** Seconds until {@code key} may try again; 0 when it may now. */
    public synchronized long retryAfterSeconds(String key) {
        Bucket b = buckets.get(key);
        if (b == null) return 0;
        refill(b, nanoTime.getAsLong());
        return wait(b);
    }

    /**
     * Takes an attempt of {@code key}, when it has one: then 0. Otherwise the seconds until it earns one,
     * and nothing is taken.
     */
    public synchronized long take(String key) {
        Bucket b = bucket(key);
        if (b.tokens < 1) return wait(b);
        b.tokens -= 1;
        return 0;
    }

    /** Returns an attempt {@linkplain #take taken} of {@code key} whose work found nothing wrong. */
    public synchronized void giveBack(String key) {
        Bucket b = buckets.get(key);
        if (b != null) b.tokens = Math.min(allowed, b.tokens + 1); // absent: full again, and forgotten meanwhile
    }

    /** Counts a failed attempt of {@code key} that was not taken first, even when it has none left. */
    public synchronized void failed(String key) {
        Bucket b = bucket(key);
        b.tokens = Math.max(0, b.tokens - 1);
    }

    private Bucket bucket(String key) {
        long now = nanoTime.getAsLong();
        if (++sinceSweep >= 1024) sweep(now);
        Bucket b = buckets.computeIfAbsent(key, k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = allowed;
            fresh.last = now;
            return fresh;
        });
        refill(b, now);
        return b;
    }

    private long wait(Bucket b) {
        if (b.tokens >= 1) return 0;
        long nanos = Math.round((1 - b.tokens) * nanosPerAttempt); // rounded: 0.1 + 0.2 must not make 31 s of 30
        return Math.max(1, Math.ceilDiv(nanos, 1_000_000_000L));
    }

    private void refill(Bucket b, long now) {
        b.tokens = Math.min(allowed, b.tokens + (double) (now - b.last) / nanosPerAttempt);
        b.last = now;
    }

    private void sweep(long now) {
        sinceSweep = 0;
        buckets.values().removeIf(b -> {
            refill(b, now);
            return b.tokens >= allowed;
        });
    }

    /** How many keys are remembered (for tests). */
    synchronized int size() {
        return buckets.size();
    }
}
