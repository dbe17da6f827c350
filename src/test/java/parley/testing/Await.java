package parley.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition (never for a fixed time). */
public final class Await {
    private Await() {}

    /** Returns once {@code condition} holds, looking every 20 ms; fails after 10 s. */
    public static void until(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
            try {
                Thread.sleep(20); // polling a condition, not waiting a fixed time
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
