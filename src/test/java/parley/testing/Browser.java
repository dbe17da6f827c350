package parley.testing;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright, headless, with fake camera and microphone. Each
 * {@link #newUser()} is an independent person (own cookies and storage).
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("PARLEY_CHROMIUM", "/usr/bin/chromium"));

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser browser;
    private final List<String> consoleErrors = new ArrayList<>();
    private final List<BrowserContext> users = new ArrayList<>();

    public Browser() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException(CHROMIUM + " is missing: run the tests with ./parley test, which installs it");
        }
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM)
                .setHeadless(true)
                .setArgs(List.of("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--no-sandbox",
                        "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-quic")));
    }

    /** A page in a fresh context; console errors and page errors are collected for {@link #closeUsers()}. */
    public Page newUser() {
        BrowserContext context = browser.newContext();
        users.add(context);
        Page page = context.newPage();
        page.setDefaultTimeout(15_000);
        page.onPageError(e -> consoleErrors.add("pageerror: " + e));
        page.onConsoleMessage(m -> {
            // Reconnecting after a cut or switched-off network, or a stopped server, logs failed sockets and
            // requests; those are the tests' doing. Any other error (a script failing, a bad status) fails the test.
            if (m.type().equals("error") && !m.text().contains("WebSocket") && !m.text().contains("net::ERR_CONNECTION_")
                    && !m.text().contains("net::ERR_SOCKET_NOT_CONNECTED") && !m.text().contains("net::ERR_INTERNET_DISCONNECTED")) {
                consoleErrors.add(m.text());
            }
        });
        return page;
    }

    /**
     * Closes every page opened since the last call (so none of them goes on reconnecting to a server the next
     * test no longer runs) and returns the console errors they logged.
     */
    public List<String> closeUsers() {
        for (BrowserContext context : users) context.close();
        users.clear();
        List<String> errors = List.copyOf(consoleErrors);
        consoleErrors.clear();
        return errors;
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
