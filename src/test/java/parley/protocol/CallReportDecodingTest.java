package parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A call report is checked field by field: the type, the range, the names; anything else is bad_message. */
class CallReportDecodingTest {
    private static final Codec CODEC = new Codec();

    private static String frame(String report) {
        return "{\"type\":\"call_report\",\"room\":\"r_1\",\"call\":\"c_1\",\"report\":" + report + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"seconds\":0}",
        "{\"seconds\":604800,\"iceRestarts\":10000}",
        "{\"seconds\":1,\"figures\":{\"loss\":{\"avg\":0,\"worst\":100},\"sendBitrate\":{\"avg\":1e3,\"worst\":10000000000}}}",
        "{\"seconds\":1,\"minutes\":[{},{\"rtt\":600000,\"fps\":1000}]}",
        "{\"seconds\":1,\"candidates\":[{\"local\":\"host\",\"remote\":\"prflx\",\"protocol\":\"tcp\"}]}",
        "{\"seconds\":1,\"failures\":[{\"reason\":\"media_blocked\",\"at\":0}]}",
    })
    void a_report_in_range_decodes(String report) {
        assertThat(CODEC.decode(frame(report))).isInstanceOf(ClientMessage.CallReport.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}",
        "{\"seconds\":-1}",
        "{\"seconds\":604801}",
        "{\"seconds\":1.5}",
        "{\"seconds\":\"5\"}",
        "{\"seconds\":1,\"iceRestarts\":-1}",
        "{\"seconds\":1,\"extra\":true}",
        "{\"seconds\":1,\"figures\":{\"loss\":{\"avg\":101,\"worst\":1}}}",
        "{\"seconds\":1,\"figures\":{\"loss\":{\"avg\":1}}}",
        "{\"seconds\":1,\"figures\":{\"rtt\":{\"avg\":-0.5,\"worst\":1}}}",
        "{\"seconds\":1,\"figures\":{\"rtt\":{\"avg\":\"1\",\"worst\":1}}}",
        "{\"seconds\":1,\"figures\":{\"bitrate\":{\"avg\":1,\"worst\":1}}}",
        "{\"seconds\":1,\"figures\":{\"sendBitrate\":{\"avg\":1e11,\"worst\":1}}}",
        "{\"seconds\":1,\"minutes\":[{\"fps\":1001}]}",
        "{\"seconds\":1,\"minutes\":[null]}",
        "{\"seconds\":1,\"minutes\":{}}",
        "{\"seconds\":1,\"candidates\":[{\"local\":\"lan\",\"remote\":\"host\",\"protocol\":\"udp\"}]}",
        "{\"seconds\":1,\"candidates\":[{\"local\":\"host\",\"remote\":\"host\",\"protocol\":\"sctp\"}]}",
        "{\"seconds\":1,\"candidates\":[{\"local\":\"relay\",\"remote\":\"host\",\"protocol\":\"udp\",\"relayProtocol\":\"dtls\"}]}",
        "{\"seconds\":1,\"failures\":[{\"reason\":\"gremlins\",\"at\":1}]}",
        "{\"seconds\":1,\"failures\":[{\"reason\":\"other\"}]}",
        "{\"seconds\":1,\"failures\":[{\"reason\":\"other\",\"at\":1,\"detail\":\"two\\nlines\"}]}",
    })
    void a_report_out_of_range_or_of_the_wrong_shape_is_bad_message(String report) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> CODEC.decode(frame(report)));
        assertThat(e).as(report).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    }

    @org.junit.jupiter.api.Test
    void more_entries_than_a_list_holds_are_bad_message() {
        String minutes = "[" + String.join(",", java.util.Collections.nCopies(ClientMessage.Report.MAX_MINUTES + 1, "{}")) + "]";
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> CODEC.decode(frame("{\"seconds\":1,\"minutes\":" + minutes + "}")));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
        String failures = "[" + String.join(",", java.util.Collections.nCopies(ClientMessage.Report.MAX_FAILURES + 1,
                "{\"reason\":\"other\",\"at\":1}")) + "]";
        assertThat(catchThrowableOfType(ProtocolException.class, () -> CODEC.decode(frame("{\"seconds\":1,\"failures\":" + failures + "}"))))
                .isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101"})
    void a_calls_limit_outside_1_to_100_is_bad_message(String limit) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> CODEC.decode("{\"type\":\"calls\",\"room\":\"r_1\",\"limit\":" + limit + "}"));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
    }
}
