package io.colloquy.llm;

import java.util.List;

/**
 * The model's structured answer to a customer turn: the reply plus its last reasoning state, which a
 * handoff passes on to the human agent.
 *
 * @param reply               what the customer reads
 * @param confidence          0..1, or null when the model gave none (an unparsed answer)
 * @param intent              what the customer wants, in a few words
 * @param needsHuman          the model itself asks for a human
 * @param handoffReason       why, when it does
 * @param reasoningSummary    a short account of how the model reached the reply
 * @param suggestedNextAction what should happen next (for the model or an agent)
 * @param facts               key facts the customer gave or changed in this turn
 * @param openQuestions       questions still unanswered
 * @param structured          false when the model's text was not the JSON answer and is used as plain text
 */
@com.fasterxml.jackson.annotation.JsonPropertyOrder({"needsHuman", "handoffReason", "confidence", "reply", "intent",
        "reasoningSummary", "suggestedNextAction", "facts", "openQuestions", "structured"})
public record ModelAnswer(String reply, Double confidence, String intent, boolean needsHuman, String handoffReason,
                          String reasoningSummary, String suggestedNextAction, List<Fact> facts,
                          List<String> openQuestions, boolean structured) {

    public ModelAnswer {
        facts = facts == null ? List.of() : List.copyOf(facts);
        openQuestions = openQuestions == null ? List.of() : List.copyOf(openQuestions);
    }

    /** A key fact: a stable key and its current value. */
    public record Fact(String key, String value) {
    }

    public static ModelAnswer plainText(String text) {
        return new ModelAnswer(text, null, null, false, null, null, null, List.of(), List.of(), false);
    }
}
