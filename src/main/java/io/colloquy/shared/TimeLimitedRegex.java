package io.colloquy.shared;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Regular expressions run against a deadline. A tenant's own pattern can backtrack catastrophically
 * ({@code (a+)+$} on a long run of {@code a}s takes longer than the universe has left); Java's matcher has
 * no time limit of its own, so the text it reads checks the clock as it is read and stops the match.
 */
public final class TimeLimitedRegex {

    /** Reads between clock checks: a check costs a few nanoseconds, a read far less. */
    private static final int CHECK_EVERY = 1024;

    private TimeLimitedRegex() {
    }

    /** The pattern did not finish within its time. */
    public static final class TimeLimitExceeded extends RuntimeException {
        TimeLimitExceeded(Pattern pattern, Duration limit) {
            super("pattern /" + pattern.pattern() + "/ took longer than " + limit.toMillis() + " ms", null, false, false);
        }
    }

    /**
     * Replaces every match of {@code pattern} in {@code text} by what {@code replacement} makes of it.
     *
     * @throws TimeLimitExceeded when matching takes longer than {@code limit}
     */
    public static String replaceAll(Pattern pattern, String text, Function<MatchResult, String> replacement,
                                    Duration limit) {
        return replaceAll(pattern, text, replacement, limit, System::nanoTime);
    }

    static String replaceAll(Pattern pattern, String text, Function<MatchResult, String> replacement, Duration limit,
                             LongSupplier nanoTime) {
        Matcher m = pattern.matcher(new Deadline(text, nanoTime.getAsLong() + limit.toNanos(), nanoTime,
                new int[1], pattern, limit));
        StringBuilder out = null;
        while (m.find()) {
            if (out == null) {
                out = new StringBuilder(text.length() + 16);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(m)));
        }
        if (out == null) {
            return text;
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether {@code pattern} finds a match in {@code text} within {@code limit}. */
    public static boolean find(Pattern pattern, String text, Duration limit) {
        return pattern.matcher(new Deadline(text, System.nanoTime() + limit.toNanos(), System::nanoTime,
                new int[1], pattern, limit)).find();
    }

    /** The text as the matcher reads it: every {@value #CHECK_EVERY} reads, the clock is checked. */
    private record Deadline(CharSequence text, long deadline, LongSupplier nanoTime, int[] reads, Pattern pattern,
                            Duration limit) implements CharSequence {

        @Override
        public char charAt(int index) {
            if (++reads[0] % CHECK_EVERY == 0 && nanoTime.getAsLong() - deadline > 0) {
                throw new TimeLimitExceeded(pattern, limit);
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Deadline(text.subSequence(start, end), deadline, nanoTime, reads, pattern, limit);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
