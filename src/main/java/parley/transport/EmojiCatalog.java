package parley.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The emoji the page's picker offers, served as {@code GET /emoji.json} from the jar: Unicode's emoji list
 * with names, groups and keywords as the jemoji library keeps it (its {@code jemoji/emojis.json}), cut down
 * to what a picker needs. Only fully-qualified emoji of Emoji {@value #MAX_VERSION} or older: newer ones
 * are missing from most emoji fonts yet (a picker of empty boxes helps no one).
 *
 * <p>The answer: {@code {"groups":[name...],"emoji":[[emoji, name, group index, keywords, [skin tones...]]...]}},
 * where the skin tones are the five variants of an emoji that has them (light to dark), and an emoji
 * with a skin tone appears only there.
 */
final class EmojiCatalog {
    static final double MAX_VERSION = 15.1;
    private static final String SOURCE = "/jemoji/emojis.json";
    private static final String[] TONES = {"light", "medium-light", "medium", "medium-dark", "dark"};

    /** One emoji offered: itself, its name, group and keywords, and its skin-tone variants (empty: none). */
    record Entry(String emoji, String name, String group, List<String> keywords, List<String> tones) {}

    private EmojiCatalog() {}

    private static final class Loaded {
        static final List<Entry> ENTRIES = load();
        static final Buffer JSON = Buffer.buffer(encode(ENTRIES));
    }

    /** Every emoji offered, each with its variants; the variants are offered too. */
    static List<Entry> entries() {
        return Loaded.ENTRIES;
    }

    static void serve(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Cache-Control", "public, max-age=86400")
                .end(Loaded.JSON);
    }

    private static List<Entry> load() {
        JsonNode all;
        try (InputStream in = EmojiCatalog.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new IllegalStateException(SOURCE + " is missing from the class path (the jemoji jar)");
            all = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode e : all) {
            if ("fully-qualified".equals(e.path("qualification").asText()) && e.path("version").asDouble() <= MAX_VERSION) {
                byName.put(e.path("description").asText(), e);
            }
        }
        List<Entry> out = new ArrayList<>();
        for (JsonNode e : byName.values()) {
            String name = e.path("description").asText();
            if (name.contains(" skin tone")) continue; // a variant: offered with its emoji
            List<String> tones = new ArrayList<>();
            for (String tone : TONES) {
                JsonNode variant = byName.get(name + ": " + tone + " skin tone");
                if (variant != null) tones.add(variant.path("emoji").asText());
            }
            List<String> keywords = new ArrayList<>();
            e.path("keywords").forEach(k -> keywords.add(k.asText()));
            out.add(new Entry(e.path("emoji").asText(), name, e.path("group").asText(), keywords,
                    tones.size() == TONES.length ? tones : List.of()));
        }
        return List.copyOf(out);
    }

    private static byte[] encode(List<Entry> entries) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ArrayNode groups = root.putArray("groups");
        List<String> groupNames = new ArrayList<>();
        ArrayNode list = root.putArray("emoji");
        for (Entry e : entries) {
            if (!groupNames.contains(e.group())) {
                groupNames.add(e.group());
                groups.add(e.group());
            }
            ArrayNode row = list.addArray().add(e.emoji()).add(e.name()).add(groupNames.indexOf(e.group()));
            row.add(String.join(" ", e.keywords()));
            if (!e.tones().isEmpty()) e.tones().forEach(row.addArray()::add);
        }
        try {
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
