package parley.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Strict JSON codec for the wire messages. Decoding accepts exactly what docs/protocol.md describes:
 * one JSON object, known type, known fields, exact JSON types (no "5" for 5, no 1 for true), no
 * duplicate keys, bounded nesting. Every rejection is a {@link ProtocolException} with the code the
 * client will see. Thread-safe.
 */
public final class Codec {
    public static final int MAX_NESTING = 16;

    private final JsonFactory factory;
    private final ObjectReader reader;
    private final ObjectReader tree;
    private final ObjectWriter writer;
    private final ObjectWriter values;

    public Codec() {
        this.factory = JsonFactory.builder()
                // an emoji as its 4 UTF-8 bytes, not as two 6-byte escapes of its surrogates
                .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                .build();
        ObjectMapper mapper = new ObjectMapper(this.factory);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (LogicalType type : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        this.reader = mapper.readerFor(ClientMessage.class);
        this.tree = mapper.reader();
        this.writer = mapper.writerFor(ServerMessage.class);
        this.values = mapper.writer();
    }

    /**
     * Decodes one frame or throws {@link ProtocolException}. When the frame is well-formed JSON but not a
     * valid message, the exception carries the frame's {@code ref} (if it has a usable one), so the
     * client can tell which of its requests failed.
     */
    public ClientMessage decode(String frame) {
        try {
            return decodeStrictly(frame);
        } catch (ProtocolException e) {
            if (e.code() == ErrorCode.BAD_JSON) throw e;
            throw e.withRef(refOf(frame));
        }
    }

    private String refOf(String frame) {
        try {
            JsonNode ref = tree.readTree(frame).get("ref");
            return ref != null && ref.isTextual() && ref.asText().length() <= ClientMessage.MAX_REF ? ref.asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private ClientMessage decodeStrictly(String frame) {
        if (frame.isEmpty() || frame.charAt(firstNonSpace(frame)) != '{') {
            throw new ProtocolException(ErrorCode.BAD_JSON, "a frame must be one JSON object");
        }
        try {
            return reader.readValue(frame);
        } catch (JsonProcessingException e) {
            // The binder stops at the first thing it cannot bind, which in a truncated or malformed frame may come
            // before the syntax error (a string cut off reads as a field of the wrong type): so syntax is judged first.
            ProtocolException malformed = syntaxError(frame);
            throw malformed != null ? malformed : invalid(e);
        }
    }

    /**
     * Why the frame is not exactly one well-formed JSON object (syntax, duplicate key, nesting, trailing
     * tokens), or null when it is one. Only refused frames are read again this way.
     */
    private ProtocolException syntaxError(String frame) {
        try (JsonParser parser = factory.createParser(frame)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new ProtocolException(ErrorCode.BAD_JSON, "a frame must be one JSON object");
            }
            parser.skipChildren(); // reads every token of the object, checking its syntax
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return new ProtocolException(ErrorCode.BAD_JSON, "a frame must be exactly one JSON object");
            }
            return null;
        } catch (StreamConstraintsException e) {
            return new ProtocolException(ErrorCode.BAD_JSON, "nesting deeper than " + MAX_NESTING);
        } catch (JsonParseException e) {
            return new ProtocolException(ErrorCode.BAD_JSON, "malformed JSON: " + truncate(e.getOriginalMessage()));
        } catch (IOException e) {
            return new ProtocolException(ErrorCode.BAD_JSON, "malformed JSON");
        }
    }

    /** Why a well-formed JSON object is not a valid message. */
    private static ProtocolException invalid(JsonProcessingException e) {
        if (e.getCause() instanceof ProtocolException p) return p; // a record's own check, in its constructor
        return switch (e) {
            case InvalidTypeIdException t -> new ProtocolException(ErrorCode.UNKNOWN_TYPE,
                    t.getTypeId() == null ? "type is missing" : "unknown type: " + truncate(t.getTypeId()));
            case UnrecognizedPropertyException u -> new ProtocolException(ErrorCode.BAD_MESSAGE,
                    "unknown field: " + truncate(u.getPropertyName()));
            case JsonMappingException m when !path(m).isEmpty() -> new ProtocolException(ErrorCode.BAD_MESSAGE,
                    "wrong type for field: " + path(m));
            default -> new ProtocolException(ErrorCode.BAD_MESSAGE, "invalid message");
        };
    }

    public String encode(ServerMessage message) {
        try {
            return writer.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /** A part of a decoded message (a signal's description, say) as JSON text, to relay as it is. */
    public String json(Object value) {
        try {
            return values.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** A call report as {@link #json} wrote it for storage, read back (and checked again). */
    public ClientMessage.Report report(String json) {
        try {
            return tree.forType(ClientMessage.Report.class).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored call report is not one", e);
        }
    }

    /** The message as the UTF-8 bytes of a text frame: what the server sends, without a String on the way. */
    public byte[] encodeUtf8(ServerMessage message) {
        try {
            return writer.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    private static String path(JsonMappingException e) {
        return truncate(e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")));
    }

    private static int firstNonSpace(String s) {
        int i = 0;
        while (i < s.length() - 1 && Character.isWhitespace(s.charAt(i))) i++;
        return i;
    }

    private static String truncate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
