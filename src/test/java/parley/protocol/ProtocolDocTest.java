package parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/protocol.md against the codec, so that the two cannot drift apart. Every example message is in a
 * fenced block whose info string is {@code json} followed by one word per message in the block, in order:
 * {@code client} (a message the server accepts), {@code refused} (a client message the server refuses,
 * shown as an example of an error) or {@code server} (a message the server sends). A client example must
 * decode; a server example must read into its {@link ServerMessage} record and encode back to the very
 * same JSON (so it has no field the record lacks, and every field the server always writes).
 */
class ProtocolDocTest {
    private static final Path PROTOCOL = Path.of("docs/protocol.md");
    private static final Path SECURITY = Path.of("docs/security.md");
    private static final Pattern BLOCK = Pattern.compile("^```json([^\\n]*)\\n(.*?)^```", Pattern.DOTALL | Pattern.MULTILINE);
    private static final Set<String> DIRECTIONS = Set.of("client", "refused", "server");
    private static final Codec CODEC = new Codec();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** One example: the message, what the doc says it is, and where (for failure messages). */
    record Example(String direction, JsonNode message, int line) {
        String type() {
            return message.path("type").asText();
        }

        @Override
        public String toString() {
            return "protocol.md:" + line + " " + direction + " " + type();
        }
    }

    static List<Example> examples() throws IOException {
        String doc = Files.readString(PROTOCOL);
        List<Example> out = new ArrayList<>();
        Matcher block = BLOCK.matcher(doc);
        while (block.find()) {
            int line = (int) doc.substring(0, block.start()).lines().count() + 1;
            List<String> directions = Arrays.stream(block.group(1).trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
            List<JsonNode> messages = new ArrayList<>();
            try (var values = JSON.readerFor(JsonNode.class).<JsonNode>readValues(block.group(2))) {
                values.forEachRemaining(messages::add);
            }
            assertThat(directions).as("protocol.md:%d: one of %s per message of the block", line, DIRECTIONS)
                    .hasSize(messages.size()).allMatch(DIRECTIONS::contains);
            for (int i = 0; i < messages.size(); i++) out.add(new Example(directions.get(i), messages.get(i), line));
        }
        return out;
    }

    static Stream<Example> clientExamples() throws IOException {
        return examples().stream().filter(e -> !e.direction().equals("server"));
    }

    static Stream<Example> serverExamples() throws IOException {
        return examples().stream().filter(e -> e.direction().equals("server"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientExamples")
    void a_client_example_decodes_unless_the_doc_shows_it_refused(Example example) {
        String frame = example.message().toString();
        if (example.direction().equals("client")) {
            ClientMessage decoded = CODEC.decode(frame);
            assertThat(decoded).isNotNull();
        } else {
            assertThat(catchThrowableOfType(ProtocolException.class, () -> CODEC.decode(frame))).as(frame).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverExamples")
    void a_server_example_is_exactly_what_the_server_encodes_from_its_record(Example example) throws IOException {
        Class<?> record = typeNames(ServerMessage.class).get(example.type());
        assertThat(record).as("%s: a type the server sends", example).isNotNull();
        ServerMessage message = JSON.treeToValue(rawFieldsAsText(example.message(), record), ServerMessage.class);
        JsonNode encoded = JSON.readTree(CODEC.encode(message));
        assertThat(encoded).as("%s, read into %s and encoded again", example, record.getSimpleName()).isEqualTo(example.message());
    }

    /**
     * A record's {@link JsonRawValue} fields (a relayed signal's description, say) are written as the JSON they
     * hold; to read an example into the record, such a field's JSON is given as a string of it.
     */
    private static JsonNode rawFieldsAsText(JsonNode message, Class<?> record) {
        ObjectNode copy = message.deepCopy();
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.getAccessor().isAnnotationPresent(JsonRawValue.class) && copy.has(c.getName())) {
                copy.put(c.getName(), copy.get(c.getName()).toString());
            }
        }
        return copy;
    }

    @Test
    void every_message_type_has_an_example_in_its_direction() throws IOException {
        List<Example> examples = examples();
        Set<String> client = examples.stream().filter(e -> !e.direction().equals("server")).map(Example::type).collect(Collectors.toSet());
        Set<String> server = examples.stream().filter(e -> e.direction().equals("server")).map(Example::type).collect(Collectors.toSet());
        assertThat(client).as("client messages with an example").containsAll(typeNames(ClientMessage.class).keySet());
        assertThat(server).as("server messages with an example").containsAll(typeNames(ServerMessage.class).keySet());
    }

    @Test
    void every_error_code_is_in_the_table_of_errors() throws IOException {
        String doc = Files.readString(PROTOCOL);
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(doc).as("the row of %s", code.wire()).contains("| `" + code.wire() + "` |");
        }
    }

    @Test
    void the_nesting_limit_in_both_documents_is_the_codecs() throws IOException {
        assertThat(Files.readString(PROTOCOL)).contains("nesting deeper than " + Codec.MAX_NESTING + " levels");
        assertThat(Files.readString(SECURITY)).contains("JSON nesting depth " + Codec.MAX_NESTING + " (`bad_json`)");
    }

    /** The {@code type} names of a sealed message interface, each with its record. */
    private static Map<String, Class<?>> typeNames(Class<?> sealed) {
        return Arrays.stream(sealed.getAnnotation(JsonSubTypes.class).value())
                .collect(Collectors.toMap(JsonSubTypes.Type::name, JsonSubTypes.Type::value));
    }
}
