package io.colloquy.memory;

import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which pinned facts are worth their tokens when not all fit: those the customer's new message is about
 * first, then identifiers (name, contact, order numbers, address), then events with their dates and what
 * the person said about themselves, then preferences and the rest; a value that changed ranks a little
 * higher (the model must not use the old one), and among equals the newer fact wins.
 */
final class FactRanking {

    private static final Pattern IDENTIFIER = Pattern.compile(
            "email|phone|customer_name|.*_number|.*_address|account.*");
    private static final Pattern EVENT_OR_PERSON = Pattern.compile(
            ".*\\(date\\)|.*_date|job|workplace|home|diet|allergy|.*\\(amount\\)|.*_amount|"
                    + "wife|husband|partner|boyfriend|girlfriend|fianc.*|son|daughter|baby|sister|brother|mom|mum|mother|"
                    + "dad|father|grand.*|granny|aunt|uncle|cousin|niece|nephew|friend|boss|neighbou?r|roommate|flatmate|"
                    + "colleague|coworker|step.*|dog|cat|puppy|kitten|parrot|rabbit|bunny|hamster|horse|pony|tortoise|"
                    + "turtle|goldfish|guinea pig|budgie|lizard|snake");

    private FactRanking() {
    }

    /** How useful a fact is in general (without a question): kind, change, recency in {@code [0, 1)}. */
    static double standing(PinnedFact f, int newestSeq) {
        String key = f.key();
        double kind = IDENTIFIER.matcher(key).matches() ? 5
                : EVENT_OR_PERSON.matcher(key).matches() ? 3
                : key.startsWith("plan") ? 2.5
                : 2;
        return kind + (f.previousValue() != null ? 1 : 0) + (newestSeq <= 0 ? 0 : 0.99 * f.sourceSeq() / newestSeq);
    }

    /** How useful a fact is for answering a message with these word stems: mostly, whether it is about them. */
    static double forMessage(PinnedFact f, Set<String> messageStems, int newestSeq) {
        Set<String> factStems = RecallQuotes.stems(f.key() + " " + f.value());
        long shared = factStems.stream().filter(messageStems::contains).count();
        return standing(f, newestSeq) + (shared == 0 ? 0 : 5 + Math.min(3, shared - 1));
    }

    /** The facts, most useful for {@code message} first. */
    static List<PinnedFact> ranked(List<PinnedFact> facts, String message) {
        if (facts.isEmpty()) {
            return facts;
        }
        int newest = facts.stream().mapToInt(PinnedFact::sourceSeq).max().orElse(0);
        Set<String> stems = message == null ? Collections.emptySet() : RecallQuotes.stems(message);
        return facts.stream()
                .sorted(Comparator.comparingDouble((PinnedFact f) -> forMessage(f, stems, newest)).reversed())
                .toList();
    }
}
