package parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the decoder answers, for the cases a client author must be able to tell apart. */
class CodecTest {
    private static final Codec CODEC = new Codec();

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"send\",\"room\":\"r_1\",\"clientId\":\"c\",\"text\":\"unfinished",
        "{\"type\":\"send\",\"room\":\"r_1\",\"clientId\":\"c\",\"text\":\"done\"",
        "{\"type\":\"send\",\"room\":\"r_1\",",
        "{\"type\":\"send\",\"room\":",
        "{\"type\":\"send\"",
        "{\"type\":\"send\",\"file\":{\"name\":\"a\"",
        "{\"room\":\"r_1\",\"type\":\"send\"",
        "{\"room\":\"r_1\",\"type\":\"send\",\"text\":tru}",
        "{\"type\":\"ping\",\"ref\":\"1\"} {",
        "{\"type\":\"typing\",\"room\":\"r_1\",\"active\":true,}",
        "{\"type\"",
        "{",
    })
    void malformed_or_truncated_json_is_bad_json(String frame) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> CODEC.decode(frame));
        assertThat(e).as(frame).isNotNull();
        assertThat(e.code()).as(frame + ": " + e.getMessage()).isEqualTo(ErrorCode.BAD_JSON);
        assertThat(e.ref()).isNull();
    }
}
