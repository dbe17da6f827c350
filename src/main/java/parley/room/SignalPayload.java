package parley.room;

/**
 * What a signal carries, opaque to the domain: the protocol field it goes in ({@code description},
 * {@code candidate}, {@code want}, {@code cancel}) and that field's value as JSON text, already validated
 * by the protocol. The domain relays it without reading it, and a bus can carry it as it is.
 */
public record SignalPayload(String field, String json) {
    public SignalPayload {
        Ids.require("field", field);
        Ids.require("json", json);
    }
}
