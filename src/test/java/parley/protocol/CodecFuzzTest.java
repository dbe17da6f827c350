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
     * Far above what a frame takes once the decoder's classes are loaded (microseconds), far below what a
     * decoder that is quadratic in a 64 KiB frame would take. A first decode that loads (and, when fuzzing,
     * instruments) classes may take longer: a slow frame is timed again, and only a second slow decode fails.
     */
    private static final Duration SLOW = Duration.ofSeconds(1);

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
        if (Duration.ofNanos(System.nanoTime() - start).compareTo(SLOW) < 0) return;
        long again = System.nanoTime();
        try {
            CODEC.decode(frame);
        } catch (ProtocolException e) {
            // as the first time
        }
        assertThat(Duration.ofNanos(System.nanoTime() - again)).as("time to decode %d chars", frame.length()).isLessThan(SLOW);
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
