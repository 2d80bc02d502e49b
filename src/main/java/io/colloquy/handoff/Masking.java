package io.colloquy.handoff;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Masks what an agent must not read in a handoff package: payment card numbers (13 to 19 digits that
 * pass the Luhn check, with or without separators) and whatever the tenant's sensitive patterns match.
 */
final class Masking {

    private static final Pattern CARD_CANDIDATE = Pattern.compile("(?<!\\d)(?:\\d[ -]?){12,18}\\d(?!\\d)");

    private final List<Pattern> sensitive;

    Masking(List<String> sensitivePatterns) {
        List<Pattern> compiled = new ArrayList<>();
        for (String p : sensitivePatterns) {
            try {
                compiled.add(Pattern.compile(p));
            } catch (PatternSyntaxException ignored) {
                // validated when the tenant was saved; a pattern that no longer compiles is skipped
            }
        }
        this.sensitive = List.copyOf(compiled);
    }

    String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        Matcher m = CARD_CANDIDATE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String digits = m.group().replaceAll("\\D", "");
            String replacement = luhn(digits) ? "[card ending " + digits.substring(digits.length() - 4) + "]" : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        String masked = out.toString();
        for (Pattern p : sensitive) {
            masked = p.matcher(masked).replaceAll("[masked]");
        }
        return masked;
    }

    static boolean luhn(String digits) {
        if (digits.length() < 13 || digits.length() > 19) {
            return false;
        }
        int sum = 0;
        boolean doubleIt = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }
}
