package parley.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
