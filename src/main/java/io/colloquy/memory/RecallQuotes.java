package io.colloquy.memory;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.colloquy.conversation.Message;
import io.colloquy.llm.TokenCounter;

/**
 * Chooses which recalled messages are quoted in a prompt and lays them out within their share: the best
 * matches first, a long message condensed to its sentences that share words with the question, and
 * the quotes shown oldest first with their time, so the model reads them as what was said then.
 */
final class RecallQuotes {

    static final String HEADER = "Recalled from earlier in this conversation (verbatim quotes with their time, "
            + "oldest first; newer messages and the key facts take precedence):\n";
    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    /** Matches far weaker than the best one are left out: they cost tokens and mislead more than they help. */
    private static final double WEAKEST_SHARE_OF_BEST = 0.35;
    private static final Set<String> STOPWORDS = Set.of("the", "and", "for", "you", "your", "are", "was", "were",
            "what", "when", "where", "which", "who", "whom", "why", "how", "that", "this", "these", "those", "with",
            "from", "have", "has", "had", "did", "does", "again", "about", "there", "their", "they", "them", "then",
            "than", "can", "could", "would", "should", "will", "just", "some", "any", "all", "our", "ours", "mine",
            "tell", "remind", "remember", "said", "say", "told", "know", "please", "thanks", "thank", "yes", "not");

    private final TokenCounter tokens;

    RecallQuotes(TokenCounter tokens) {
        this.tokens = tokens;
    }

    /** The quotes for a prompt, oldest first, whose block fits in {@code ceiling} tokens. */
    List<MemoryView.Recalled> choose(String model, String question, List<RecallIndex.Hit> hits, int ceiling) {
        if (hits.isEmpty() || ceiling <= tokens.count(model, HEADER) + 20) {
            return List.of();
        }
        double best = hits.stream().mapToDouble(RecallIndex.Hit::score).max().orElse(0);
        Set<String> stems = stems(question);
        int used = tokens.count(model, HEADER);
        int perQuote = Math.max(40, (ceiling - used) / 2);
        List<MemoryView.Recalled> chosen = new ArrayList<>();
        for (RecallIndex.Hit hit : hits.stream().sorted(Comparator.comparingDouble(RecallIndex.Hit::score).reversed()).toList()) {
            if (hit.score() < best * WEAKEST_SHARE_OF_BEST) {
                break;
            }
            Message m = hit.message();
            String same = m.content().strip();
            if (same.equalsIgnoreCase(question.strip())
                    || chosen.stream().anyMatch(c -> c.quote().equalsIgnoreCase(same))) {
                // the customer saying the same thing again, or a repeat: nothing to recall
                continue;
            }
            String quote = condense(model, ContextAssembler.toPrompt(m).content(), stems, perQuote);
            MemoryView.Recalled recalled = new MemoryView.Recalled(m.seq(), m.role().name(), m.createdAt(), quote);
            int cost = tokens.count(model, line(recalled));
            if (quote.isBlank() || used + cost > ceiling) {
                continue;
            }
            chosen.add(recalled);
            used += cost;
        }
        chosen.sort(Comparator.comparingInt(MemoryView.Recalled::seq));
        return List.copyOf(chosen);
    }

    /** The block as the model reads it; empty when nothing was recalled. */
    static String block(List<MemoryView.Recalled> quotes) {
        if (quotes.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder(HEADER);
        quotes.forEach(q -> s.append(line(q)));
        return s.toString().strip();
    }

    static String line(MemoryView.Recalled q) {
        String who = switch (q.role()) {
            case "CUSTOMER" -> "Customer";
            case "ASSISTANT" -> "Assistant";
            case "AGENT" -> "Agent";
            default -> "Note";
        };
        return "[" + AT.format(q.createdAt()) + "] " + who + ": \"" + q.quote() + "\"\n";
    }

    /**
     * The message as it stands when it fits in {@code max}; otherwise its sentences that share a word with
     * the question (in their order, joined by an ellipsis), and the message's start when none does.
     */
    private String condense(String model, String text, Set<String> stems, int max) {
        String flat = text.replaceAll("\\s+", " ").strip();
        if (tokens.count(model, flat) <= max) {
            return flat;
        }
        List<String> sentences = List.of(flat.split("(?<=[.!?])\\s+"));
        List<String> relevant = sentences.stream().filter(s -> !java.util.Collections.disjoint(stems(s), stems)).toList();
        if (relevant.isEmpty()) {
            return tokens.truncate(model, flat, max - 1) + " …";
        }
        StringBuilder out = new StringBuilder();
        for (String s : relevant) {
            String next = out.isEmpty() ? s : out + " … " + s;
            if (tokens.count(model, next) > max) {
                break;
            }
            out.setLength(0);
            out.append(next);
        }
        return out.isEmpty() ? tokens.truncate(model, relevant.getFirst(), max - 1) + " …" : out.toString();
    }

    /** Crude stems (a word's first five letters) of the words that carry meaning. */
    static Set<String> stems(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() >= 3 && !STOPWORDS.contains(w)) {
                out.add(w.length() > 5 ? w.substring(0, 5) : w);
            }
        }
        return out;
    }
}
