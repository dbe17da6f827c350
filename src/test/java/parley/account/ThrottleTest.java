package parley.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ThrottleTest {
    private long now = 1_000_000_000L;
    private final Throttle throttle = new Throttle(10, Duration.ofMinutes(15), () -> now);

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    void a_key_may_fail_as_often_as_allowed_then_waits_for_one_attempt_per_window_share() {
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.retryAfterSeconds("ada")).as("attempt " + (i + 1)).isZero();
            throttle.failed("ada");
        }
        assertThat(throttle.retryAfterSeconds("ada")).as("15 minutes / 10").isEqualTo(90);
        assertThat(throttle.retryAfterSeconds("grace")).as("other keys are not concerned").isZero();
        advance(Duration.ofSeconds(60));
        assertThat(throttle.retryAfterSeconds("ada")).isEqualTo(30);
        advance(Duration.ofSeconds(30));
        assertThat(throttle.retryAfterSeconds("ada")).isZero();
        throttle.failed("ada");
        assertThat(throttle.retryAfterSeconds("ada")).as("one earned attempt, spent").isEqualTo(90);
    }

    @Test
    void keys_that_stopped_failing_are_forgotten() {
        for (int i = 0; i < 2000; i++) throttle.failed("address-" + i);
        advance(Duration.ofMinutes(2)); // a failure per 90 s refills: every bucket is full again
        for (int i = 0; i < 1024; i++) throttle.failed("later-" + (i % 3));
        assertThat(throttle.size()).isEqualTo(3);
    }

    @Test
    void attempts_taken_by_many_threads_at_once_are_no_more_than_allowed() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> waits = new ArrayList<>();
        try (var threads = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 200; i++) {
                waits.add(threads.submit(() -> {
                    start.await();
                    return throttle.take("ada");
                }));
            }
            start.countDown();
            int taken = 0;
            for (Future<Long> w : waits) {
                if (w.get() == 0) taken++;
                else assertThat(w.get()).as("a refusal says how long to wait").isBetween(1L, 90L);
            }
            assertThat(taken).isEqualTo(10);
        }
        assertThat(throttle.retryAfterSeconds("ada")).isEqualTo(90);
    }

    @Test
    void an_attempt_given_back_may_be_taken_again_and_never_beyond_the_allowed() {
        for (int i = 0; i < 10; i++) assertThat(throttle.take("ada")).isZero();
        assertThat(throttle.take("ada")).as("none left: nothing taken").isEqualTo(90);
        throttle.giveBack("ada");
        assertThat(throttle.take("ada")).as("the attempt given back").isZero();
        assertThat(throttle.take("ada")).isEqualTo(90);
        for (int i = 0; i < 20; i++) throttle.giveBack("ada");
        for (int i = 0; i < 10; i++) assertThat(throttle.take("ada")).isZero();
        assertThat(throttle.take("ada")).as("given back beyond the allowed: capped").isEqualTo(90);
        throttle.giveBack("grace");
        assertThat(throttle.size()).as("giving back to a key never taken remembers nothing").isEqualTo(1);
    }
}
