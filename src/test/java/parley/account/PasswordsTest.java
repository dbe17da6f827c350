package parley.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordsTest {
    private final Passwords passwords = new Passwords();

    @Test
    void a_hash_is_an_argon2id_phc_string_with_owasp_parameters_and_a_fresh_salt() {
        String first = passwords.hash("correct horse battery");
        String second = passwords.hash("correct horse battery");
        assertThat(first).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(second).as("another salt").isNotEqualTo(first);
        assertThat(passwords.verify("correct horse battery", first)).isTrue();
        assertThat(passwords.verify("correct horse batterY", first)).isFalse();
    }

    @Test
    void hashes_made_by_the_reference_implementation_verify_whatever_their_costs() {
        // echo -n "correct horse battery" | argon2 parleysaltparley -id -t 2 -k 19456 -p 1 -l 32 -e (Debian's argon2)
        String owasp = "$argon2id$v=19$m=19456,t=2,p=1$cGFybGV5c2FsdHBhcmxleQ$Ql2E+waajBNg17zyyWHzlY77UIMzA0dy/6X1+wwhfDM";
        // ... -m 15 (32 MiB): an older or stronger cost still verifies
        String other = "$argon2id$v=19$m=32768,t=2,p=1$cGFybGV5c2FsdHBhcmxleQ$HwB/UVB2VUY7/NdZ21aL8xr4bHikXTnluEac+FWaC0c";
        assertThat(passwords.verify("correct horse battery", owasp)).isTrue();
        assertThat(passwords.verify("correct horse battery", other)).isTrue();
        assertThat(passwords.verify("correct horse batter", owasp)).isFalse();
    }

    @Test
    void a_foreign_or_tampered_hash_matches_nothing_and_costs_nothing() {
        long t0 = System.nanoTime();
        for (String phc : new String[] {
                null, "", "password", "$argon2i$v=19$m=19456,t=2,p=1$cGFybGV5c2FsdHBhcmxleQ$Ql2E+waajBNg17zyyWHzlY77UIMzA0dy/6X1+wwhfDM",
                "$argon2id$v=16$m=19456,t=2,p=1$cGFybGV5c2FsdHBhcmxleQ$Ql2E+waajBNg17zyyWHzlY77UIMzA0dy/6X1+wwhfDM",
                "$argon2id$v=19$m=9999999,t=2,p=1$cGFybGV5c2FsdHBhcmxleQ$Ql2E+waajBNg17zyyWHzlY77UIMzA0dy/6X1+wwhfDM",
                "$argon2id$v=19$m=19456,t=0,p=1$cGFybGV5c2FsdHBhcmxleQ$Ql2E+waajBNg17zyyWHzlY77UIMzA0dy/6X1+wwhfDM"}) {
            assertThat(passwords.verify("correct horse battery", phc)).as(String.valueOf(phc)).isFalse();
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms: none of them was hashed").isLessThan(1_000);
    }
}
