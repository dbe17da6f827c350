package parley.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import parley.protocol.ClientMessage;
import parley.protocol.Codec;

/** The emoji the page's picker offers (GET /emoji.json), against what the server accepts in a react. */
class EmojiCatalogTest {
    private static final Codec CODEC = new Codec();

    @Test
    void the_picker_offers_every_group_of_emoji_with_names_and_skin_tones() {
        List<EmojiCatalog.Entry> entries = EmojiCatalog.entries();
        assertThat(entries).hasSizeGreaterThan(1800);
        assertThat(entries).extracting(EmojiCatalog.Entry::group).contains("Smileys & Emotion", "People & Body", "Flags", "Symbols");
        EmojiCatalog.Entry thumbs = entries.stream().filter(e -> e.emoji().equals("👍")).findFirst().orElseThrow();
        assertThat(thumbs.name()).isEqualTo("thumbs up");
        assertThat(thumbs.tones()).containsExactly("👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿");
        assertThat(entries).extracting(EmojiCatalog.Entry::emoji).contains("🇫🇷", "👩‍💻", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "#️⃣", "‼️")
                .noneMatch(e -> e.codePoints().anyMatch(c -> c >= 0x1F3FB && c <= 0x1F3FF && e.codePointCount(0, e.length()) == 2));
    }

    @Test
    void every_emoji_the_picker_offers_is_accepted_as_a_reaction() {
        List<String> offered = EmojiCatalog.entries().stream().flatMap(e -> Stream.concat(Stream.of(e.emoji()), e.tones().stream())).toList();
        assertThat(offered).hasSizeGreaterThan(3000);
        for (String emoji : offered) {
            String frame = "{\"type\":\"react\",\"room\":\"r_1\",\"clientId\":\"c\",\"target\":1,\"emoji\":\"" + emoji + "\"}";
            assertThat(CODEC.decode(frame)).as(emoji).isInstanceOf(ClientMessage.React.class);
        }
    }
}
