package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A text frame's bytes: valid UTF-8 becomes its text, anything else null (the socket is closed with 1007). */
class Utf8Test {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ASCII                           | 7b2274797065223a2270696e67227d | {"type":"ping"}
            two- and three-byte characters  | c3a9e282ac                     | é€
            a four-byte character           | f09f9880                       | 😀
            U+FFFD itself is valid          | 61efbfbd62                     | a\uFFFDb
            empty                           | ''                             | ''
            """)
    void validTextIsDecoded(String what, String hex, String text) {
        assertThat(WsSession.utf8(bytes(hex))).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a lead byte without its continuation | c328
            a sequence cut at the end            | 61e282
            an overlong slash                    | c0af
            an encoded surrogate                 | eda080
            beyond U+10FFFF                      | f4908080
            a stray continuation byte            | 6180
            bad bytes beside a real U+FFFD       | efbfbdff
            """)
    void invalidTextIsRefused(String what, String hex) {
        assertThat(WsSession.utf8(bytes(hex))).isNull();
    }

    private static Buffer bytes(String hex) {
        return Buffer.buffer(HexFormat.of().parseHex(hex));
    }
}
