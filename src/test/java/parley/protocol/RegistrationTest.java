package parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The codec finds a message's record by its {@code type} through {@code @JsonSubTypes}, which repeats the
 * sealed interface's records by hand: a record added to one and not the other would fail only at run time.
 */
class RegistrationTest {

    private static void assertRegistered(Class<?> sealed) {
        JsonSubTypes.Type[] types = sealed.getAnnotation(JsonSubTypes.class).value();
        List<Class<?>> registered = Arrays.stream(types).<Class<?>>map(JsonSubTypes.Type::value).toList();
        assertThat(registered).as("every record of %s, each once", sealed.getSimpleName())
                .containsExactlyInAnyOrder(sealed.getPermittedSubclasses());
        assertThat(Arrays.stream(types).map(JsonSubTypes.Type::name)).as("type names").doesNotHaveDuplicates()
                .allMatch(name -> name.matches("[a-z_]+"));
    }

    @Test
    void every_client_message_record_is_registered_once_under_its_own_type_name() {
        assertRegistered(ClientMessage.class);
    }

    @Test
    void every_server_message_record_is_registered_once_under_its_own_type_name() {
        assertRegistered(ServerMessage.class);
    }
}
