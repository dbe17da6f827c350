package parley.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import parley.account.AccountException;
import parley.account.Accounts;
import parley.store.SqliteStore;

/**
 * {@code parley user add|disable|enable <username> ...}: accounts from a script, on the database that
 * {@code serve} uses with the same settings ({@code --data-dir}, {@code --db-url}). It may run while the
 * server runs (SQLite lets both write); a running server closes a disabled user's sockets within seconds.
 */
final class UserCommand {
    private UserCommand() {}

    static final String USAGE = """
            Usage: parley user add <username> [--admin] [--name "Display Name"] [--setting value]...
                   parley user disable <username> [--setting value]...
                   parley user enable <username> [--setting value]...

            add reads the password from standard input (its first line), so that scripts can pipe it:
              printf '%s\\n' "$PASSWORD" | ./parley user add ada --name "Ada Lovelace"
            The first account is always an admin. The settings say where the database is, as for serve.""";

    /** Runs the command; returns the process's exit status (0 done, 1 refused, 2 bad usage). */
    static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        if (args.size() < 2 || args.contains("--help")) {
            (args.contains("--help") ? out : err).println(USAGE);
            return args.contains("--help") ? 0 : 2;
        }
        String action = args.get(0);
        String username = args.get(1);
        if (username.startsWith("-")) {
            err.println("parley user: the username comes right after " + action + "\n\n" + USAGE);
            return 2;
        }
        boolean admin = false;
        String name = null;
        List<String> settingArgs = new ArrayList<>();
        for (int i = 2; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--admin") && action.equals("add")) admin = true;
            else if (a.equals("--name") && action.equals("add") && i + 1 < args.size()) name = args.get(++i);
            else settingArgs.add(a);
        }
        if (!List.of("add", "disable", "enable").contains(action)) {
            err.println("parley user: unknown action " + action + "\n\n" + USAGE);
            return 2;
        }
        Settings settings;
        try {
            settings = Settings.parse(settingArgs, env);
        } catch (Settings.Invalid e) {
            err.println("parley user: " + e.getMessage());
            return 2;
        }
        String password = null;
        if (action.equals("add")) {
            try {
                password = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                err.println("parley user: cannot read the password from standard input: " + e.getMessage());
                return 1;
            }
            if (password == null) {
                err.println("parley user: give the password on standard input (its first line)");
                return 2;
            }
        }
        try (SqliteStore store = new SqliteStore(settings.sqliteFile(), 16, 1000, 1);
             Accounts accounts = Parley.accounts(store, settings)) {
            Accounts.User user = switch (action) {
                case "add" -> accounts.add(username, name, password, admin).join();
                case "disable" -> accounts.setDisabled(username, true).join();
                default -> accounts.setDisabled(username, false).join();
            };
            out.println(switch (action) {
                case "add" -> "added " + user.username() + " (" + user.id().value() + (user.admin() ? ", admin" : "") + ")";
                case "disable" -> "disabled " + user.username() + ": signed out everywhere";
                default -> "enabled " + user.username();
            });
            return 0;
        } catch (CompletionException e) {
            AccountException refused = Accounts.refusal(e);
            if (refused == null) throw e;
            err.println("parley user: " + refused.getMessage());
            return 1;
        } catch (IllegalStateException e) {
            err.println("parley user: " + e.getMessage());
            return 1;
        }
    }
}
