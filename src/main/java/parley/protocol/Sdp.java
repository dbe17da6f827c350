package parley.protocol;

/**
 * The check an SDP must pass before Parley relays it: a size limit and the shape of RFC 8866 (one
 * {@code x=value} per line; version, origin, session name and timing lines present; at least one media
 * section). It does not understand the SDP, it only keeps garbage from reaching another browser.
 */
public final class Sdp {
    /** Browsers' SDPs are a few kilobytes; a screen share plus camera and audio stays well under this. */
    public static final int MAX_CHARS = 32 * 1024;

    private Sdp() {}

    static void check(String sdp) {
        if (sdp == null || sdp.isEmpty()) throw Check.bad("description.sdp is required");
        if (sdp.length() > MAX_CHARS) throw Check.bad("description.sdp must be at most " + MAX_CHARS + " characters");
        boolean v = false, o = false, s = false, t = false, m = false;
        for (String line : sdp.split("\r?\n")) {
            if (line.isEmpty()) continue;
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw Check.bad("description.sdp is not SDP: every line must look like x=value");
            }
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c < 0x20 && c != '\t') throw Check.bad("description.sdp contains a control character");
            }
            switch (line.charAt(0)) {
                case 'v' -> v = true;
                case 'o' -> o = true;
                case 's' -> s = true;
                case 't' -> t = true;
                case 'm' -> m = true;
                default -> { }
            }
        }
        if (!(v && o && s && t && m)) throw Check.bad("description.sdp is not SDP: it needs v=, o=, s=, t= and m= lines");
    }
}
