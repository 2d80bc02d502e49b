package io.colloquy.privacy;

import java.time.Duration;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.colloquy.shared.TenantId;
import io.colloquy.shared.TimeLimitedRegex;

/**
 * One tenant's masking policy, compiled: payment card numbers (13 to 19 digits passing the Luhn check,
 * with or without spaces or dashes) become {@code [card ending 1234]}, and whatever the tenant's sensitive
 * patterns match becomes {@code [masked]}. A pattern that runs out of time withholds the whole text: a
 * reader gets less, never the unmasked text.
 */
public final class Masker {

    private static final Logger log = LoggerFactory.getLogger(Masker.class);
    private static final Pattern CARD_CANDIDATE = Pattern.compile("(?<!\\d)(?:\\d[ -]?){12,18}\\d(?!\\d)");
    static final String MASKED = "[masked]";
    static final String WITHHELD = "[withheld: this text could not be checked for sensitive data in time]";

    /** Masks nothing (a reader that sees the conversation as written). */
    public static final Masker NONE = new Masker(null, false, List.of(), List.of(), Duration.ofSeconds(1));

    private final TenantId tenantId;
    private final boolean cards;
    private final List<String> sources;
    private final List<Pattern> patterns;
    private final Duration limit;

    Masker(TenantId tenantId, boolean cards, List<String> sources, List<Pattern> patterns, Duration limit) {
        this.tenantId = tenantId;
        this.cards = cards;
        this.sources = List.copyOf(sources);
        this.patterns = List.copyOf(patterns);
        this.limit = limit;
    }

    /** Whether this masker was compiled from these settings (else the tenant changed them since). */
    boolean compiledFrom(boolean cards, List<String> sources) {
        return this.cards == cards && this.sources.equals(sources);
    }

    /** Whether this masker changes anything at all. */
    public boolean masksAnything() {
        return cards || !patterns.isEmpty();
    }

    public String mask(String text) {
        if (text == null || text.isEmpty() || !masksAnything()) {
            return text;
        }
        Pattern current = CARD_CANDIDATE;
        try {
            String out = cards ? TimeLimitedRegex.replaceAll(CARD_CANDIDATE, text, Masker::card, limit) : text;
            for (Pattern p : patterns) {
                current = p;
                out = TimeLimitedRegex.replaceAll(p, out, m -> MASKED, limit);
            }
            return out;
        } catch (TimeLimitedRegex.TimeLimitExceeded e) {
            // the pattern's index, never the text
            log.warn("SENSITIVE_PATTERN_TIMEOUT tenant={} pattern={} limitMs={}: the text is withheld", tenantId,
                    patterns.indexOf(current), limit.toMillis());
            return WITHHELD;
        }
    }

    public List<String> mask(List<String> texts) {
        return texts == null || !masksAnything() ? texts : texts.stream().map(this::mask).toList();
    }

    private static String card(MatchResult m) {
        String digits = m.group().replaceAll("\\D", "");
        return luhn(digits) ? "[card ending " + digits.substring(digits.length() - 4) + "]" : m.group();
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
