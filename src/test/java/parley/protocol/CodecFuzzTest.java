package parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/**
 * The decoder against arbitrary frames: it answers with a valid {@link ClientMessage} or a
 * {@link ProtocolException}, never with another exception, and quickly.
 *
 * <p>A plain test run replays the inputs under {@code CodecFuzzTestInputs/} (each is one frame, as the
 * client's bytes); {@code JAZZER_FUZZ=1} fuzzes (docs/security.md).
 */
class CodecFuzzTest {
    private static final Codec CODEC = new Codec();
    /** What a frame may be refused with by the decoder; the other codes come from the transport or the hub. */
    private static final Set<ErrorCode> DECODER_CODES = Set.of(ErrorCode.BAD_JSON, ErrorCode.UNKNOWN_TYPE, ErrorCode.BAD_MESSAGE);
    /**
     * Far above what a frame takes once the decoder is compiled (milliseconds for 64 KiB), far below what a
     * decoder that is quadratic in a 64 KiB frame would take. The first decodes of a kind of frame load,
     * instrument and interpret code, which on a busy machine can take seconds: a slow frame is decoded
     * again, up to {@link #TRIES} times, and fails only if it is slow every time.
     */
    private static final Duration SLOW = Duration.ofSeconds(1);
    private static final int TRIES = 5;

    @FuzzTest
    void a_frame_decodes_to_a_valid_message_or_a_protocol_error(byte[] bytes) {
        // What WsSession hands the codec: the reassembled text message, decoded as UTF-8.
        String frame = new String(bytes, StandardCharsets.UTF_8);
        long start = System.nanoTime();
        ClientMessage message;
        try {
            message = CODEC.decode(frame);
        } catch (ProtocolException e) {
            assertQuick(frame, start);
            assertClear(e);
            return;
        }
        assertQuick(frame, start);
        assertThat(message).isNotNull();
        assertThat(revalidated((Record) message)).as("a decoded message, checked again").isEqualTo(message);
    }

    private static void assertQuick(String frame, long start) {
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        for (int i = 1; i < TRIES && took.compareTo(SLOW) >= 0; i++) {
            long again = System.nanoTime();
            try {
                CODEC.decode(frame);
            } catch (ProtocolException e) {
                // as the first time
            }
            took = Duration.ofNanos(System.nanoTime() - again);
        }
        assertThat(took).as("time to decode %d chars, in the last of %d tries", frame.length(), TRIES).isLessThan(SLOW);
    }

    private static void assertClear(ProtocolException e) {
        assertThat(e.code()).isIn(DECODER_CODES);
        assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400); // says what is wrong, does not echo the frame
        if (e.code() == ErrorCode.BAD_JSON) assertThat(e.ref()).as("the ref of unreadable JSON").isNull();
        if (e.ref() != null) assertThat(e.ref()).hasSizeLessThanOrEqualTo(ClientMessage.MAX_REF);
    }

    /**
     * Builds the record again through its canonical constructor, nested records first, so every check
     * runs again on what the decoder produced. The result must be equal: the checks' clean-ups (strip,
     * lower case, safe file names) must leave a clean value as it is.
     */
    static Record revalidated(Record r) {
        RecordComponent[] components = r.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            for (int i = 0; i < components.length; i++) {
                Object value = components[i].getAccessor().invoke(r);
                values[i] = value instanceof Record nested ? revalidated(nested) : value;
            }
            return r.getClass().getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ProtocolException p) {
                return fail("%s was decoded but fails its own check: %s", r, p.getMessage());
            }
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
