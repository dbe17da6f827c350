package parley.room;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whom a message mentions, as the server decided when it was sent: {@code people} (accounts that may see
 * the room, in the order the text names them, each once) and {@code room} ({@code @room}: everyone in it).
 * Clients show and count these, never their own reading of the text, so that every client agrees.
 */
public record Mentions(List<Mention> people, boolean room) {

    public static final Mentions NONE = new Mentions(List.of(), false);

    public Mentions {
        people = List.copyOf(people);
    }

    /** One person mentioned: their user id, and the username the text named them by. */
    public record Mention(UserId user, String username) {}

    public boolean isEmpty() {
        return people.isEmpty() && !room;
    }

    /** Whether the message mentions {@code user}: by name, or with {@code @room}. */
    public boolean mention(UserId user) {
        return room || people.stream().anyMatch(p -> p.user().equals(user));
    }

    /**
     * What a text asks for: the usernames it names after an {@code @}, in the order it names them (lower-cased, as usernames are unique
     * ignoring case) and whether it says {@code @room}; the store then keeps those that name an account that
     * may see the room ({@code among}: the room's members for a private or direct room, null for a public
     * room, which everyone may see). {@code room} is a name no account may have (see below).
     */
    public record Asked(Set<String> usernames, boolean room, Set<UserId> among) {
        public static final Asked NOTHING = new Asked(Set.of(), false, null);

        public Asked {
            usernames = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(usernames)); // in the text's order
            if (among != null) among = Set.copyOf(among);
        }

        public boolean isEmpty() {
            return usernames.isEmpty() && !room;
        }

        /** Keeps the accounts found for the usernames asked that {@code among} allows. */
        public boolean allows(UserId user) {
            return among == null || among.contains(user);
        }
    }

    /**
     * A mention: {@code @} at the start or after a character that cannot be part of a word or an address
     * (so {@code ada@example.com} mentions no one), then a username (account.Credentials: 2 to 32 letters,
     * digits, '.', '_' or '-', starting with a letter or digit). A name that ends with '.', '_' or '-' is
     * also tried without them, so "thanks @ada." finds ada.
     */
    private static final Pattern MENTION = Pattern.compile("(?<![\\p{L}\\p{N}_.@-])@([A-Za-z0-9][A-Za-z0-9._-]{1,31})(?![A-Za-z0-9])");

    /** The usernames {@code text} names and whether it says {@code @room}, for a room whose members are {@code among}. */
    public static Asked parse(String text, Set<UserId> among) {
        if (text.indexOf('@') < 0) return Asked.NOTHING;
        Set<String> names = new LinkedHashSet<>();
        boolean room = false;
        Matcher m = MENTION.matcher(text);
        while (m.find()) {
            String name = m.group(1).toLowerCase(Locale.ROOT);
            String bare = name.replaceAll("[._-]+$", "");
            if (name.equals("room") || bare.equals("room")) {
                room = true;
                continue;
            }
            names.add(name);
            if (bare.length() >= 2 && !bare.equals(name)) names.add(bare);
        }
        return names.isEmpty() && !room ? Asked.NOTHING : new Asked(names, room, among);
    }
}
