package parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a reaction's emoji may be (Emoji): every kind of emoji sequence, and nothing that is not an emoji. */
class EmojiTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "👍", "👍🏽", "❤️", "❤", "🇫🇷", "🇺🇳", "👩‍💻", "🏳️‍🌈", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👨‍👩‍👧‍👦", "🧑🏻‍❤️‍💋‍🧑🏼", "🫱🏼‍🫲🏿",
        "1️⃣", "#️⃣", "*️⃣", "1⃣", "©️", "®", "‼️", "⁉️", "↔️", "ℹ️", "〰️", "〽️", "Ⓜ️", "▶️", "⤴️", "™️", "🦰", "☺︎"})
    void every_kind_of_emoji_is_accepted_as_sent(String emoji) {
        assertThat(Emoji.check("emoji", emoji)).isEqualTo(emoji);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a", "1", "#", "*", "11", ":)", " ", "👍 ", " 👍", "👍a", "a👍", "1️⃣1", "1️⃣👍", "#a", "☐", "⌘", "♂a", "\u202E",
        "👍\u202E", "\u200D", "\uFE0F", "\u200D👍", "é", "ǅ", "\u0000", "👍👍👍👍👍👍👍👍👍👍👍"})
    void what_is_not_one_emoji_is_refused(String text) {
        assertThatThrownBy(() -> Emoji.check("emoji", text)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("emoji");
    }
}
