package parley.room;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A search of messages' text, as a store runs it ({@link ChatStore#search}): the {@code words} a message's
 * text of now must all hold (each as a part of a word or more, ignoring case), the {@code rooms} to look
 * in, and a page: at most {@code limit} messages, newest first, stored {@code before} the given one (null:
 * from the newest).
 *
 * <p>At least one word has {@link #MIN_WORD_CHARS} characters or more: that is what a trigram index can
 * look up. Shorter words only narrow down what the longer ones find.
 */
public record Search(List<String> words, Set<RoomId> rooms, Position before, int limit) {

    /** The shortest word an index of trigrams can find, in Unicode characters (code points). */
    public static final int MIN_WORD_CHARS = 3;

    public Search {
        words = List.copyOf(words);
        rooms = Set.copyOf(rooms);
        if (words.stream().noneMatch(Search::indexable)) {
            throw new IllegalArgumentException("no word of " + MIN_WORD_CHARS + " characters or more: " + words);
        }
        if (limit < 1) throw new IllegalArgumentException("limit " + limit);
    }

    /** A message, as a paging cursor: results continue with those stored before it. */
    public record Position(RoomId room, long seq) {}

    /** Where a word was found in a text: {@code [start, end)} in UTF-16 units, as Java and JavaScript index strings. */
    public record Range(int start, int end) {}

    /** The words of what a person typed: split at white space, each once (ignoring case), in order. */
    public static List<String> words(String query) {
        List<String> out = new ArrayList<>();
        for (String w : query.strip().split("\\s+")) {
            if (!w.isEmpty() && out.stream().noneMatch(seen -> seen.equalsIgnoreCase(w))) out.add(w);
        }
        return out;
    }

    /** Whether an index of trigrams can look the word up. */
    public static boolean indexable(String word) {
        return word.codePointCount(0, word.length()) >= MIN_WORD_CHARS;
    }

    /** Whether {@code text} holds every one of {@code words}, ignoring case. */
    public static boolean holdsAll(String text, List<String> words) {
        return words.stream().allMatch(w -> indexOf(text, w, 0) >= 0);
    }

    /** Every place the words occur in {@code text}, ignoring case: sorted, overlapping ones merged. */
    public static List<Range> matches(String text, List<String> words) {
        List<Range> found = new ArrayList<>();
        for (String w : words) {
            for (int at = indexOf(text, w, 0); at >= 0; at = indexOf(text, w, at + 1)) found.add(new Range(at, at + w.length()));
        }
        found.sort(Comparator.comparingInt(Range::start));
        List<Range> merged = new ArrayList<>();
        for (Range r : found) {
            Range last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && r.start() <= last.end()) merged.set(merged.size() - 1, new Range(last.start(), Math.max(last.end(), r.end())));
            else merged.add(r);
        }
        return merged;
    }

    private static int indexOf(String text, String word, int from) {
        for (int i = from; i + word.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, word, 0, word.length())) return i;
        }
        return -1;
    }
}
