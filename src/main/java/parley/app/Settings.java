package parley.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting, from flags ({@code --port 9000}) over environment variables ({@code PARLEY_PORT=9000})
 * over defaults. {@link #DEFINITIONS} is the single list: {@code --help} and the README table show it.
 */
public record Settings(
        String bind,
        int port,
        Path dataDir,
        String dbUrl,
        int maxFrameBytes,
        int maxTextChars,
        int historyPageMax,
        int catchupMax,
        int storeBatchMax,
        int storeQueueMax,
        int maxQueuedBytes,
        long maxUploadBytes,
        int callMax,
        int callGraceSeconds,
        java.util.List<String> stunUrls,
        java.util.List<String> turnUrls,
        String turnSecret,
        int turnTtlSeconds,
        boolean iceRelayOnly,
        int eventLoops,
        java.util.List<String> allowedOrigins,
        int messagesPerSecond,
        int messageBurst,
        int maxConnections,
        int maxConnectionsPerAddress,
        java.util.List<String> trustedProxies,
        int maxConnectionsPerUser,
        int maxRoomsPerUser,
        int readMarkerDelayMillis,
        int unreadCountMax,
        int searchPageMax,
        int searchMaxChars,
        int searchesPerSecond,
        int handshakeTimeoutSeconds,
        int requestBodyTimeoutSeconds,
        int helloTimeoutSeconds,
        int idleTimeoutSeconds,
        Path tlsCert,
        Path tlsKey,
        String signup,
        int sessionDays,
        int signinFailuresPerAccount,
        int signinFailuresPerAddress,
        int callReportMaxBytes,
        int callReportsPerMinute,
        int callRetentionDays,
        String metricsToken) {

    public record Definition(String name, String defaultValue, String meaning) {
        public String flag() {
            return "--" + name;
        }

        public String env() {
            return "PARLEY_" + name.toUpperCase().replace('-', '_');
        }
    }

    public static final List<Definition> DEFINITIONS = List.of(
            new Definition("bind", "0.0.0.0", "address to listen on (127.0.0.1 for this machine only)"),
            new Definition("port", "8080", "HTTP and WebSocket port (0 picks a free one)"),
            new Definition("data-dir", "./data", "where the database file and the rooms' files live"),
            new Definition("db-url", "", "JDBC URL of the database; empty means jdbc:sqlite:<data-dir>/parley.db"),
            new Definition("max-frame-bytes", "65536", "largest WebSocket message read; larger ones get too_large"),
            new Definition("max-text-chars", "4000", "longest chat message, in characters"),
            new Definition("history-page-max", "200", "most messages one history request returns"),
            new Definition("catchup-max", "1000", "most missed messages replayed on reconnect; beyond it the client reloads"),
            new Definition("store-batch-max", "1000", "most writes committed in one transaction (group commit)"),
            new Definition("store-queue-max", "100000", "writes waiting for the store before sends are refused"),
            new Definition("max-queued-bytes", "8388608",
                    "most bytes waiting to be sent to one connection; a reader that falls further behind is disconnected (1008)"),
            new Definition("max-upload-bytes", "2147483648",
                    "largest file kept in a room (uploaded to the server); larger ones are refused with too_large"),
            new Definition("call-max", "6", "most people in one room's call (peer-to-peer mesh)"),
            new Definition("call-grace", "20",
                    "seconds a call participant whose connection dropped stays in the call, to come back unseen (0: leave at once)"),
            new Definition("stun-urls", "", "STUN servers handed to browsers, comma-separated (stun:host:3478)"),
            new Definition("turn-urls", "", "TURN servers handed to browsers, comma-separated (turn:host:3478?transport=udp)"),
            new Definition("turn-secret", "", "the static-auth-secret shared with coturn (use-auth-secret); needed with turn-urls"),
            new Definition("turn-ttl", "86400", "seconds a TURN credential stays valid"),
            new Definition("ice-relay-only", "false",
                    "true: browsers connect calls only through TURN, so they never learn each other's addresses; needs turn-urls"),
            new Definition("event-loops", String.valueOf(Runtime.getRuntime().availableProcessors()),
                    "event-loop threads serving connections"),
            new Definition("allowed-origins", "",
                    "other web origins whose pages may open Parley's WebSocket, comma-separated (https://chat.example.com); "
                            + "the server's own origin is always allowed"),
            new Definition("messages-per-second", "50",
                    "messages a connection may send per second, on average; beyond it they are refused with rate_limited"),
            new Definition("message-burst", "200",
                    "messages a connection may send at once above the average; a client that keeps sending after as many refusals is disconnected (1008)"),
            new Definition("max-connections", "auto",
                    "connections open at once, HTTP and WebSocket together; beyond them new ones are closed at once. auto: the "
                            + "process's open-file limit less a quarter of it (at least 256), kept for the database and files"),
            new Definition("max-connections-per-address", "200",
                    "connections open at once from one IP address, HTTP and WebSocket together; beyond them new ones are closed "
                            + "at once (behind trusted-proxies: WebSockets per browser address, beyond them the upgrade answers 429)"),
            new Definition("trusted-proxies", "",
                    "IP addresses of reverse proxies in front of Parley, comma-separated (127.0.0.1): their X-Forwarded-For "
                            + "says who a request is from (for the per-address limits) and X-Forwarded-Proto the scheme the browser "
                            + "used (the page's Origin must have it; https marks the session cookie Secure); from anyone else "
                            + "these headers are ignored"),
            new Definition("max-connections-per-user", "20", "WebSocket connections open at once for one account (tabs and devices together)"),
            new Definition("max-rooms-per-user", "100", "public and private rooms one person may own (direct rooms do not count)"),
            new Definition("read-marker-delay", "1000",
                    "milliseconds a moved read marker waits in memory before it is written (moves meanwhile are written once); "
                            + "a crash loses at most this much reading (0: written at once)"),
            new Definition("unread-count-max", "999",
                    "most unread messages counted in a room (the latest ones); a room with more shows this many"),
            new Definition("search-page-max", "50", "most results one search returns (a page; the page asks for 20)"),
            new Definition("search-max-chars", "200", "longest search query, in characters; longer ones are refused with bad_message"),
            new Definition("searches-per-second", "5",
                    "searches one person may make per second, all their connections together; beyond it they are refused with rate_limited"),
            new Definition("handshake-timeout", "10",
                    "seconds a new TCP connection has to send its first HTTP request (or WebSocket upgrade) before it is closed"),
            new Definition("request-body-timeout", "5",
                    "seconds a request body may take to arrive after its headers before the connection is closed; "
                            + "a file upload may take as long as it needs, but no longer than this without a byte"),
            new Definition("hello-timeout", "10", "seconds a WebSocket has to say hello before it is closed (1008)"),
            new Definition("idle-timeout", "120",
                    "seconds a connection may stay silent in both directions before it is closed (browsers ping every 15 s); 0: never"),
            new Definition("tls-cert", "", "PEM certificate chain: with tls-key, Parley serves HTTPS and WSS instead of plain HTTP"),
            new Definition("tls-key", "", "PEM private key of tls-cert (PKCS#8 or PKCS#1)"),
            new Definition("signup", "invite",
                    "who may create an account: invite (with an admin's invitation) or open (anyone who reaches the server); "
                            + "the first account may always sign up, and is the admin"),
            new Definition("session-days", "30", "days a sign-in lasts (the session cookie's Max-Age); then the person signs in again"),
            new Definition("signin-failures-per-account", "10",
                    "failed sign-ins allowed for one account per 15 minutes; beyond them sign-ins to it are refused (429) for a while"),
            new Definition("signin-failures-per-address", "50",
                    "failed sign-ins allowed from one IP address per 15 minutes, over all accounts; beyond them they are refused (429)"),
            new Definition("call-report-max-bytes", "16384",
                    "largest call_report a page may send (its report, as JSON); larger ones are refused with too_large"),
            new Definition("call-reports-per-minute", "6",
                    "call_reports a connection may send per minute (as many at once); beyond them they are refused with rate_limited"),
            new Definition("call-retention-days", "30",
                    "days a call's record and its participants' reports are kept after it started (purged hourly); 0: none kept"),
            new Definition("metrics-token", "",
                    "bearer token that GET /metrics (Prometheus) asks for; empty: /metrics is off (404). At least 16 characters"));

    /** A bad flag or value; the message says which and why. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    public static Settings parse(List<String> args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Definition d : DEFINITIONS) {
            values.put(d.name(), env.getOrDefault(d.env(), d.defaultValue()));
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) throw new Invalid("unexpected argument: " + arg);
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!values.containsKey(name)) throw new Invalid("unknown setting: --" + name + " (see --help)");
            if (value == null) {
                if (i + 1 >= args.size()) throw new Invalid("--" + name + " needs a value");
                value = args.get(++i);
            }
            values.put(name, value);
        }
        Path dataDir = Path.of(values.get("data-dir"));
        String dbUrl = values.get("db-url").isBlank()
                ? "jdbc:sqlite:" + dataDir.resolve("parley.db")
                : values.get("db-url");
        if (!dbUrl.startsWith("jdbc:sqlite:")) {
            throw new Invalid("db-url: only jdbc:sqlite: is supported in this version, got " + dbUrl);
        }
        return new Settings(
                values.get("bind"),
                integer(values, "port", 0, 65535),
                dataDir,
                dbUrl,
                integer(values, "max-frame-bytes", 1024, 16 * 1024 * 1024),
                integer(values, "max-text-chars", 1, 1_000_000),
                integer(values, "history-page-max", 1, 10_000),
                integer(values, "catchup-max", 0, 1_000_000),
                integer(values, "store-batch-max", 1, 100_000),
                integer(values, "store-queue-max", 1, 10_000_000),
                integer(values, "max-queued-bytes", 65_536, Integer.MAX_VALUE),
                longInteger(values, "max-upload-bytes", 0, 1L << 40),
                integer(values, "call-max", 2, 100),
                integer(values, "call-grace", 0, 3600),
                urls(values, "stun-urls", "stun:"),
                turnUrls(values),
                values.get("turn-secret"),
                integer(values, "turn-ttl", 60, 7 * 24 * 3600),
                relayOnly(values),
                integer(values, "event-loops", 1, 256),
                origins(values),
                integer(values, "messages-per-second", 1, 1_000_000),
                integer(values, "message-burst", 1, 1_000_000),
                maxConnections(values),
                integer(values, "max-connections-per-address", 1, 1_000_000),
                addresses(values, "trusted-proxies"),
                integer(values, "max-connections-per-user", 1, 1_000_000),
                integer(values, "max-rooms-per-user", 0, 1_000_000),
                integer(values, "read-marker-delay", 0, 60_000),
                integer(values, "unread-count-max", 1, 1_000_000),
                integer(values, "search-page-max", 1, 1_000),
                integer(values, "search-max-chars", 3, 4_000),
                integer(values, "searches-per-second", 1, 1_000),
                integer(values, "handshake-timeout", 1, 3600),
                integer(values, "request-body-timeout", 1, 3600),
                integer(values, "hello-timeout", 1, 3600),
                integer(values, "idle-timeout", 0, 86_400),
                tlsFile(values, "tls-cert", "tls-key"),
                tlsFile(values, "tls-key", "tls-cert"),
                oneOf(values, "signup", "invite", "open"),
                integer(values, "session-days", 1, 3650),
                integer(values, "signin-failures-per-account", 1, 1_000_000),
                integer(values, "signin-failures-per-address", 1, 1_000_000),
                integer(values, "call-report-max-bytes", 256, 1_048_576),
                integer(values, "call-reports-per-minute", 1, 10_000),
                integer(values, "call-retention-days", 0, 36_500),
                metricsToken(values));
    }

    private static int integer(Map<String, String> values, String name, int min, int max) {
        return (int) longInteger(values, name, min, max);
    }

    private static long longInteger(Map<String, String> values, String name, long min, long max) {
        String raw = values.get(name).trim();
        try {
            long v = Long.parseLong(raw);
            if (v < min || v > max) throw new Invalid(name + " must be between " + min + " and " + max + ", got " + raw);
            return v;
        } catch (NumberFormatException e) {
            throw new Invalid(name + " must be a whole number, got \"" + raw + "\"");
        }
    }

    /** {@code auto}, or a number; see {@link #connectionsFor}. */
    private static int maxConnections(Map<String, String> values) {
        if (values.get("max-connections").trim().equals("auto")) return connectionsFor(openFileLimit());
        return integer(values, "max-connections", 1, 10_000_000);
    }

    /**
     * The connections a process with {@code openFiles} descriptors may hold: a quarter (at least 256) is kept
     * for what else needs one (the database and its journal, files being sent or received, the JVM's own),
     * so that the server goes on accepting and answering when its connections are full.
     */
    public static int connectionsFor(long openFiles) {
        return (int) Math.clamp(openFiles - Math.max(256, openFiles / 4), 16, 10_000_000);
    }

    /** The process's limit on open files ({@code ulimit -n}, which the JVM raises to the hard limit at start). */
    public static long openFileLimit() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return 16_384; // not Unix: no such limit to read; a guess that is not small
    }

    /** A token long enough not to be guessed, of characters an Authorization header carries as they are. */
    private static String metricsToken(Map<String, String> values) {
        String token = values.get("metrics-token").strip();
        if (token.isEmpty()) return null;
        if (token.length() < 16) throw new Invalid("metrics-token must be at least 16 characters (a random one: openssl rand -hex 32)");
        if (!token.matches("[A-Za-z0-9._~+/=-]+")) throw new Invalid("metrics-token may hold letters, digits and ._~+/=- only");
        return token;
    }

    private static boolean bool(Map<String, String> values, String name) {
        String raw = values.get(name).trim();
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new Invalid(name + " must be true or false, got \"" + raw + "\"");
        };
    }

    private static String oneOf(Map<String, String> values, String name, String... allowed) {
        String raw = values.get(name).trim();
        if (!java.util.Arrays.asList(allowed).contains(raw)) {
            throw new Invalid(name + " must be " + String.join(" or ", allowed) + ", got \"" + raw + "\"");
        }
        return raw;
    }

    private static boolean relayOnly(Map<String, String> values) {
        boolean relayOnly = bool(values, "ice-relay-only");
        if (relayOnly && values.get("turn-urls").isBlank()) {
            throw new Invalid("ice-relay-only needs turn-urls: without a TURN server no call could connect");
        }
        return relayOnly;
    }

    private static java.util.List<String> urls(Map<String, String> values, String name, String... schemes) {
        java.util.List<String> urls = java.util.Arrays.stream(values.get(name).split(","))
                .map(String::trim).filter(u -> !u.isEmpty()).toList();
        for (String url : urls) {
            if (java.util.Arrays.stream(schemes).noneMatch(url::startsWith)) {
                throw new Invalid(name + ": " + url + " must start with " + String.join(" or ", schemes));
            }
        }
        return urls;
    }

    private static java.util.List<String> turnUrls(Map<String, String> values) {
        java.util.List<String> urls = urls(values, "turn-urls", "turn:", "turns:");
        if (!urls.isEmpty() && values.get("turn-secret").isBlank()) {
            throw new Invalid("turn-urls needs turn-secret (the static-auth-secret of coturn)");
        }
        return urls;
    }

    /** Origins as browsers send them: scheme://host[:port], no path. */
    private static java.util.List<String> origins(Map<String, String> values) {
        values.put("allowed-origins", values.get("allowed-origins").toLowerCase(java.util.Locale.ROOT));
        java.util.List<String> origins = urls(values, "allowed-origins", "http://", "https://");
        for (String origin : origins) {
            if (origin.substring(origin.indexOf("//") + 2).contains("/")) {
                throw new Invalid("allowed-origins: " + origin + " must be an origin (scheme://host[:port]), without a path");
            }
        }
        return origins;
    }

    /** IP address literals, written as the server reports a peer's address (so ::1 is 0:0:0:0:0:0:0:1). */
    private static java.util.List<String> addresses(Map<String, String> values, String name) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String raw : values.get(name).split(",")) {
            String a = raw.strip();
            if (a.isEmpty()) continue;
            if (!a.matches("[0-9A-Fa-f:.]+")) throw new Invalid(name + ": " + a + " is not an IP address");
            try {
                out.add(java.net.InetAddress.getByName(a).getHostAddress()); // a literal: no name lookup
            } catch (java.net.UnknownHostException e) {
                throw new Invalid(name + ": " + a + " is not an IP address");
            }
        }
        return java.util.List.copyOf(out);
    }

    /** A TLS file: both or neither of tls-cert and tls-key, and a readable file. */
    private static Path tlsFile(Map<String, String> values, String name, String partner) {
        String raw = values.get(name).trim();
        boolean partnerSet = !values.get(partner).isBlank();
        if (raw.isEmpty()) {
            if (partnerSet) throw new Invalid(partner + " needs " + name + " as well");
            return null;
        }
        Path file = Path.of(raw);
        if (!java.nio.file.Files.isReadable(file)) throw new Invalid(name + ": cannot read " + raw);
        return file;
    }

    public boolean tls() {
        return tlsCert != null;
    }

    public Path sqliteFile() {
        return Path.of(dbUrl.substring("jdbc:sqlite:".length()));
    }

    public static String help() {
        List<String> lines = new ArrayList<>();
        lines.add("Usage: parley serve [--setting value]...");
        lines.add("       parley user add|disable|enable <username> ... (parley user --help)");
        lines.add("");
        lines.add("Each setting is a flag or an environment variable; flags win.");
        lines.add("");
        for (Definition d : DEFINITIONS) {
            lines.add(String.format("  %-20s %-26s default %s", d.flag(), d.env(), d.defaultValue().isEmpty() ? "(none)" : d.defaultValue()));
            lines.add(String.format("  %-20s %s", "", d.meaning()));
        }
        lines.add("");
        lines.add("  PARLEY_LOG_LEVEL (default INFO) sets the log level; logs go to standard error.");
        return String.join("\n", lines);
    }
}
