package parley.transport;

/**
 * A token bucket: {@code perSecond} tokens a second, at most {@code burst} saved up. One connection's,
 * used on its event loop only. The clock is passed in (nanoseconds) so that tests need not wait.
 */
final class RateLimit {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    RateLimit(double perSecond, int burst, long now) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }

    /** Takes a token if there is one. */
    boolean take(long now) {
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }
}
