package parley.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import parley.testing.TestAccounts;
import parley.testing.TestServer;
import parley.testing.WsClient;

/** {@code parley user ...} as a script runs it: its own process, the password piped in, the server running. */
class UserCommandTest {

    record Run(int exit, String output) {}

    /** Runs {@code parley user <args>} on this test run's classpath with {@code stdin}. */
    private static Run user(String stdin, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "parley.app.Main", "user"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("user command finished").isTrue();
        return new Run(p.exitValue(), output);
    }

    /** The same command in this JVM, for the refusals (a process costs seconds here). */
    private static Run inProcess(String stdin, String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = UserCommand.run(List.of(args), java.util.Map.of(),
                new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), print, print);
        return new Run(exit, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void accounts_added_by_a_script_sign_in_and_a_disabled_one_is_signed_out_of_the_running_server() throws Exception {
        try (TestServer server = TestServer.start()) {
            String dataDir = server.dataDir().toString();
            Run root = user("the root password\n", "add", "root", "--data-dir", dataDir);
            assertThat(root.exit()).as(root.output()).isZero();
            assertThat(root.output()).as("the first account is the admin, --admin or not").contains("added root (u_").contains(", admin)");

            Run linus = user("kernel hacker 91\n", "add", "linus", "--name", "Linus T", "--data-dir", dataDir);
            assertThat(linus.exit()).as(linus.output()).isZero();
            assertThat(linus.output()).doesNotContain("admin");
            Run again = inProcess("whatever password\n", "add", "LINUS", "--data-dir", dataDir);
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.output()).contains("taken");
            Run weak = inProcess("short\n", "add", "ken", "--data-dir", dataDir);
            assertThat(weak.exit()).isEqualTo(1);
            assertThat(weak.output()).contains("at least 8 characters");

            var signIn = TestAccounts.post(server.port(), "/api/signin", "{\"username\":\"linus\",\"password\":\"kernel hacker 91\"}", null);
            assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
            assertThat(signIn.body()).contains("\"name\":\"Linus T\"").contains("\"role\":\"member\"");

            try (WsClient tab = WsClient.withCookie(server.port(), TestAccounts.sessionCookie(signIn), null)) {
                Run disable = user("", "disable", "linus", "--data-dir", dataDir);
                assertThat(disable.exit()).as(disable.output()).isZero();
                long t0 = System.nanoTime();
                assertThat(tab.closeCode()).as("the running server closed the socket").isEqualTo(4401);
                assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(10);
            }
            assertThat(TestAccounts.post(server.port(), "/api/signin", "{\"username\":\"linus\",\"password\":\"kernel hacker 91\"}", null)
                    .statusCode()).as("answered as a wrong password").isEqualTo(401);
            assertThat(inProcess("", "enable", "linus", "--data-dir", dataDir).exit()).isZero();
            assertThat(inProcess("", "disable", "nobody", "--data-dir", dataDir).exit()).isEqualTo(1);
            assertThat(inProcess("", "add", "ken", "--data-dir", dataDir).exit()).as("no password on stdin").isEqualTo(2);
            assertThat(inProcess("", "add", "--data-dir", dataDir).exit()).as("no username").isEqualTo(2);
        }
    }
}
