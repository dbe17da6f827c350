package parley.bench;

import java.util.List;
import java.util.Locale;

/**
 * The S2 chart: p99 latency (log scale) against deliveries per second, one line per server, with the
 * 100 ms limit at which S2 stops. Plain SVG, so that it renders on any Markdown viewer and diffs as text.
 */
final class Chart {
    private static final int WIDTH = 720, HEIGHT = 420;
    private static final int LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 60;
    private static final double Y_MIN = 0.1, Y_MAX = 10_000; // ms
    private static final double LIMIT_MS = 100;

    private Chart() {}

    /** Each point is {deliveries per second, p99 ms}. */
    static String svg(List<double[]> parley, List<double[]> socketIo) {
        double xMax = niceCeiling(Math.max(maxX(parley), maxX(socketIo)));
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">"
                + "S2: p99 latency against deliveries per second (one room, rate raised step by step)</text>%n", LEFT));
        for (double ms = Y_MIN; ms <= Y_MAX; ms *= 10) {
            double y = y(ms);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, WIDTH - RIGHT, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, ms < 1 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%,.0f", ms)));
        }
        for (int i = 0; i <= 5; i++) {
            double v = xMax * i / 5;
            double x = x(v, xMax);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x, TOP, x, HEIGHT - BOTTOM));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,.0f</text>%n",
                    x, HEIGHT - BOTTOM + 18, v));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">deliveries per second</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 18));
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">"
                + "p99 latency, ms (log scale)</text>%n", (TOP + HEIGHT - BOTTOM) / 2, (TOP + HEIGHT - BOTTOM) / 2));
        double limit = y(LIMIT_MS);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#b91c1c\" "
                + "stroke-dasharray=\"6 4\"/>%n", LEFT, limit, WIDTH - RIGHT, limit));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#b91c1c\">limit 100 ms</text>%n",
                WIDTH - RIGHT - 4, limit - 5));
        series(s, parley, xMax, "#1d4ed8", "Parley", 0);
        series(s, socketIo, xMax, "#d97706", "Socket.IO", 1);
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        s.append("</svg>\n");
        return s.toString();
    }

    private static void series(StringBuilder s, List<double[]> points, double xMax, String colour, String name, int index) {
        StringBuilder path = new StringBuilder();
        for (double[] p : points) {
            path.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p[0], xMax), y(p[1])));
        }
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                path.toString().trim(), colour));
        for (double[] p : points) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s: %,.0f deliveries/s, "
                    + "p99 %.2f ms</title></circle>%n", x(p[0], xMax), y(p[1]), colour, name, p[0], p[1]));
        }
        int ly = TOP + 16 + 18 * index;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                LEFT + 12, ly - 4, LEFT + 36, ly - 4, colour));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + 42, ly, name));
    }

    private static double x(double v, double xMax) {
        return LEFT + (WIDTH - LEFT - RIGHT) * v / xMax;
    }

    private static double y(double ms) {
        double clamped = Math.max(Y_MIN, Math.min(Y_MAX, ms));
        double f = (Math.log10(clamped) - Math.log10(Y_MIN)) / (Math.log10(Y_MAX) - Math.log10(Y_MIN));
        return HEIGHT - BOTTOM - f * (HEIGHT - TOP - BOTTOM);
    }

    private static double maxX(List<double[]> points) {
        return points.stream().mapToDouble(p -> p[0]).max().orElse(0);
    }

    /** The next round figure at or above v: 1, 2 or 5 times a power of ten. */
    private static double niceCeiling(double v) {
        if (v <= 0) return 1;
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * magnitude >= v) return step * magnitude;
        }
        return 10 * magnitude;
    }
}
