package parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Text that could deceive or that is not well-formed, decoded from JSON by the real {@link Codec}: a JSON
 * escape carries what UTF-8 cannot ({@code "\ud800"}, a lone surrogate), so that path is the one to test.
 * Frames are written with JSON escapes; {@code E} stands for a backslash.
 */
class DeceptiveTextTest {
    private final Codec codec = new Codec();

    private static String json(String withEscapes) {
        return withEscapes.replace('E', '\\');
    }

    private ClientMessage decode(String frame) {
        return codec.decode(json(frame));
    }

    private void assertRefused(String frame, String message) {
        assertThatThrownBy(() -> decode(frame)).as(frame).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_MESSAGE);
            assertThat(e.getMessage()).startsWith(message);
        });
    }

    private static String send(String text) {
        return "{\"type\":\"send\",\"room\":\"r_1\",\"clientId\":\"c1\",\"text\":\"" + text + "\"}";
    }

    private static String createRoom(String name) {
        return "{\"type\":\"create_room\",\"name\":\"" + name + "\"}";
    }

    private static String file(String name) {
        return "{\"type\":\"send\",\"room\":\"r_1\",\"clientId\":\"c1\",\"file\":{\"name\":\"" + name
                + "\",\"size\":1,\"type\":\"text/plain\",\"sha256\":\"" + "0".repeat(64) + "\"}}";
    }

    @Test
    void message_text_with_a_lone_surrogate_nul_or_another_control_character_is_refused_naming_the_field() {
        assertRefused(send("a Eud800 b"), "text must be well-formed Unicode, without a lone surrogate (U+D800)");
        assertRefused(send("Eudc00 comes first"), "text must be well-formed Unicode, without a lone surrogate (U+DC00)");
        assertRefused(send("high at the end Eud83d"), "text must be well-formed Unicode");
        assertRefused(send("nulEu0000"), "text must not contain control characters (U+0000)");
        assertRefused(send("bellEu0007"), "text must not contain control characters (U+0007)");
        assertRefused(send("carriageEr return"), "text must not contain control characters (U+000D)");
        assertRefused(send("c1Eu009b"), "text must not contain control characters (U+009B)");
    }

    @Test
    void an_edit_is_held_to_the_rules_of_message_text() {
        String edit = "{\"type\":\"edit\",\"room\":\"r_1\",\"clientId\":\"c2\",\"target\":1,\"text\":\"%s\"}";
        assertRefused(edit.formatted("a Eud800 b"), "text must be well-formed Unicode, without a lone surrogate (U+D800)");
        assertRefused(edit.formatted("nulEu0000"), "text must not contain control characters (U+0000)");
        assertThat(decode(edit.formatted("fixed: 👩‍💻 שלום"))).isInstanceOf(ClientMessage.Edit.class);
    }

    @Test
    void names_with_bidirectional_controls_or_nothing_visible_are_refused() {
        for (String bidi : new String[] {"202a", "202b", "202c", "202d", "202e", "2066", "2067", "2068", "2069", "200e", "200f", "061c"}) {
            assertRefused(createRoom("invoiceEu" + bidi + "fdp.exe"),
                    "name must not contain bidirectional controls (U+" + bidi.toUpperCase() + ")");
        }
        for (String invisible : new String[] {"Eu200b", "Eu200dEu200c", "Eu2060", "Eufeff", "Eu200b Eu00a0 Eu3000", "Eu00ad",
                                              "Eu3164", "Eu0301"}) {
            assertRefused(createRoom(invisible), "name must have a visible character");
        }
        assertRefused(createRoom("Eud800"), "name must be well-formed Unicode");
        assertRefused(createRoom("twoEu2028lines"), "name must be one line");
        assertRefused("{\"type\":\"find_users\",\"query\":\"Eu202eada\"}", "query must not contain bidirectional controls");
    }

    @Test
    void a_topic_with_a_lone_surrogate_or_a_control_character_is_refused() {
        assertRefused("{\"type\":\"create_room\",\"name\":\"design\",\"topic\":\"Eudfff\"}", "topic must be well-formed Unicode");
        assertRefused("{\"type\":\"create_room\",\"name\":\"design\",\"topic\":\"aEu0000\"}", "topic must not contain control characters");
    }

    @Test
    void emoji_sequences_and_right_to_left_scripts_are_accepted_as_sent() {
        String coder = "\uD83D\uDC69\u200D\uD83D\uDCBB"; // 👩‍💻, joined by U+200D
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
        String england = "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F"; // tag sequence
        String heart = "\u2764\uFE0F";
        String arabic = "\u0645\u0631\u062D\u0628\u0627";
        String hebrew = "\u05E9\u05DC\u05D5\u05DD";
        String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"; // a zero-width non-joiner inside a word
        for (String name : new String[] {coder + " devs", family, england, "I " + heart, arabic, hebrew, persian, arabic + " & Ada"}) {
            assertThat(((ClientMessage.CreateRoom) codec.decode(createRoom(name))).name()).isEqualTo(name);
        }
        String escaped = send("Eud83dEudc69Eu200dEud83dEudcbb"); // the same emoji, as JSON escapes of its surrogates
        assertThat(((ClientMessage.Send) decode(escaped)).text()).isEqualTo(coder);
        String text = arabic + "\n" + hebrew + "\t" + coder + " \u200F(rlm)\u202Eoverride";
        assertThat(((ClientMessage.Send) codec.decode(send(text.replace("\n", "\\n").replace("\t", "\\t")))).text())
                .as("message text keeps lines, tabs and bidirectional marks").isEqualTo(text);
    }

    @Test
    void a_file_name_that_could_deceive_or_is_not_well_formed_is_made_safe_not_refused() {
        assertThat(fileName("invoiceEu202efdp.exe")).isEqualTo("invoice_fdp.exe");
        assertThat(fileName("aEud800b.txt")).isEqualTo("a_b.txt");
        assertThat(fileName("nulEu0000.txt")).isEqualTo("nul_.txt");
        assertThat(fileName("Eu200bEu200d")).as("nothing visible").isEqualTo("file");
        assertThat(fileName("\uD83D\uDC69\u200D\uD83D\uDCBB \u05E9\u05DC\u05D5\u05DD.png")).isEqualTo("\uD83D\uDC69\u200D\uD83D\uDCBB \u05E9\u05DC\u05D5\u05DD.png");
    }

    private String fileName(String name) {
        return ((ClientMessage.Send) decode(file(name))).file().name();
    }
}
