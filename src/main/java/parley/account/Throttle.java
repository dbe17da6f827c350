package parley.account;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed attempts per key (an account, an address), as token buckets: each key may fail {@code allowed}
 * times at once, and earns one more attempt every {@code window / allowed}; so over any long stretch at
 * most {@code allowed} failures per {@code window} get through. Keys whose bucket is full again are
 * forgotten, so memory follows the keys that failed recently. Thread-safe.
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
        if (b.tokens >= 1) return 0;
        long nanos = Math.round((1 - b.tokens) * nanosPerAttempt); // rounded: 0.1 + 0.2 must not make 31 s of 30
        return Math.max(1, Math.ceilDiv(nanos, 1_000_000_000L));
    }

    /** Counts a failed attempt of {@code key}. */
    public synchronized void failed(String key) {
        long now = nanoTime.getAsLong();
        if (++sinceSweep >= 1024) sweep(now);
        Bucket b = buckets.computeIfAbsent(key, k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = allowed;
            fresh.last = now;
            return fresh;
        });
        refill(b, now);
        b.tokens = Math.max(0, b.tokens - 1);
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
