package parley.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialsTest {

    private static void refused(Runnable check, String field) {
        assertThatThrownBy(check::run).isInstanceOfSatisfying(AccountException.class, e -> {
            assertThat(e.kind()).isEqualTo(AccountException.Kind.INVALID);
            assertThat(e.field()).isEqualTo(field);
        });
    }

    @Test
    void usernames_are_2_to_32_letters_digits_dots_underscores_or_dashes_starting_with_a_letter_or_digit() {
        assertThat(Credentials.username(" Ada.Lovelace_1815-x ")).isEqualTo("Ada.Lovelace_1815-x");
        assertThat(Credentials.username("a".repeat(32))).hasSize(32);
        for (String bad : new String[] {null, "", "a", "a".repeat(33), "_ada", ".ada", "ada lovelace", "adä", "ada@home", "a/b"}) {
            refused(() -> Credentials.username(bad), "username");
        }
    }

    @Test
    void passwords_are_8_to_256_characters_counted_after_nfkc_normalisation() {
        assertThat(Credentials.password("password", "ｐａｓｓｗｏｒｄ")).as("full-width letters").isEqualTo("password");
        assertThat(Credentials.password("password", "😀".repeat(8))).as("8 code points, 16 UTF-16 units").hasSize(16);
        assertThat(Credentials.password("password", "😀".repeat(256))).hasSize(512);
        refused(() -> Credentials.password("password", "😀".repeat(257)), "password");
        refused(() -> Credentials.password("password", "seven77"), "password");
        refused(() -> Credentials.password("password", ""), "password");
        refused(() -> Credentials.password("password", "x".repeat(1 << 20)), "password");
        refused(() -> Credentials.givenPassword("current", "x".repeat(257)), "current");
        assertThat(Credentials.givenPassword("password", "short")).as("a sign-in checks only the upper bound").isEqualTo("short");
    }

    @Test
    void a_display_name_defaults_to_the_username_and_has_no_control_characters() {
        assertThat(Credentials.displayName(null, "ada")).isEqualTo("ada");
        assertThat(Credentials.displayName("  ", "ada")).isEqualTo("ada");
        assertThat(Credentials.displayName(" Ada Lovelace ", "ada")).isEqualTo("Ada Lovelace");
        assertThat(Credentials.displayName("<b>Ada</b>", "ada")).as("shown as text, never as HTML").isEqualTo("<b>Ada</b>");
        refused(() -> Credentials.displayName("Ada\u0000", "ada"), "name");
        refused(() -> Credentials.displayName("n".repeat(65), "ada"), "name");
    }
}
