package parley.app;

import java.util.Arrays;
import java.util.List;

/**
 * {@code parley serve [settings]}: starts the server and runs until SIGTERM or Ctrl-C.
 * {@code parley user ...}: adds, disables or enables accounts (see {@link UserCommand}).
 */
public final class Main {
    private Main() {}

    public static void main(String[] argv) {
        List<String> args = Arrays.asList(argv);
        if (!args.isEmpty() && args.getFirst().equals("user")) {
            System.exit(UserCommand.run(args.subList(1, args.size()), System.getenv(), System.in, System.out, System.err));
            return;
        }
        if (args.isEmpty() || args.contains("--help") || args.contains("-h") || args.contains("help")) {
            System.out.println(Settings.help());
            return;
        }
        if (!args.getFirst().equals("serve")) {
            System.err.println("unknown command: " + args.getFirst() + "\n\n" + Settings.help());
            System.exit(2);
        }
        Settings settings;
        try {
            settings = Settings.parse(args.subList(1, args.size()), System.getenv());
        } catch (Settings.Invalid e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
            return;
        }
        Parley parley;
        try {
            parley = Parley.start(settings);
        } catch (RuntimeException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(parley::close, "parley-shutdown"));
        String host = settings.bind().equals("0.0.0.0") ? "localhost" : settings.bind();
        System.out.println("Parley is running at " + (settings.tls() ? "https" : "http") + "://" + host + ":" + parley.port() + "/ (data in " + settings.dataDir() + ")");
    }
}
