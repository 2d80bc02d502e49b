package io.colloquy.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes the structured answer. A text that is not the expected JSON is still a usable
 * answer (plain text, unknown confidence): a model that forgets the format never fails a turn.
 */
public final class ModelAnswers {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_FACTS = 50;

    /**
     * The format instructions the model receives; the simulated model answers in the same shape. The
     * fields that decide whether the reply may be shown come first, so a streamed reply can be relayed
     * as it is written (see {@link ReplyExtractor}).
     */
    public static final String FORMAT_INSTRUCTIONS = """
            Answer with one JSON object and nothing else, with these fields in this order:
            "needsHuman": true if a human agent should take over, else false,
            "handoffReason": why a human is needed, or null,
            "confidence": a number from 0 to 1, how sure you are that the reply is correct and complete,
            "reply": your message to the customer (plain text),
            "intent": what the customer wants, in a few words,
            "reasoningSummary": one or two sentences on how you reached the reply,
            "suggestedNextAction": the next step for whoever continues this conversation,
            "facts": key facts the customer gave or changed in this message, as [{"key": "snake_case_name", "value": "..."}]; \
            keep identifiers (order numbers, emails, amounts, dates) exactly as written,
            "openQuestions": questions of the customer not yet resolved, as a list of strings.""";

    private ModelAnswers() {
    }

    /**
     * Reads a whole answer. The reply is what {@link ReplyExtractor} takes from the text, the same text a
     * stream of this answer showed; the other fields come from the JSON object when the answer is one
     * (an object in a markdown fence counts). Anything else is a plain-text answer of unknown confidence.
     */
    public static ModelAnswer parse(String text) {
        if (text == null || text.isBlank()) {
            return ModelAnswer.plainText("");
        }
        String reply = ReplyExtractor.extract(text);
        String body = withoutFence(text);
        int end = body.lastIndexOf('}');
        if (!body.startsWith("{") || end <= 0) {
            return ModelAnswer.plainText(reply);
        }
        JsonNode node;
        try {
            node = JSON.readTree(body.substring(0, end + 1));
        } catch (JacksonException e) {
            return ModelAnswer.plainText(reply);
        }
        if (!node.isObject() || !node.path("reply").isString()) {
            return ModelAnswer.plainText(reply);
        }
        Double confidence = null;
        JsonNode c = node.path("confidence");
        if (c.isNumber()) {
            confidence = Math.max(0, Math.min(1, c.asDouble()));
        } else if (c.isString()) {
            try {
                confidence = Math.max(0, Math.min(1, Double.parseDouble(c.asString())));
            } catch (NumberFormatException ignored) {
                // unknown confidence
            }
        }
        List<ModelAnswer.Fact> facts = new ArrayList<>();
        for (JsonNode f : node.path("facts")) {
            String key = normalizeKey(text(f.path("key")));
            String value = text(f.path("value"));
            if (key != null && value != null && facts.size() < MAX_FACTS) {
                facts.add(new ModelAnswer.Fact(key, value));
            }
        }
        List<String> open = new ArrayList<>();
        for (JsonNode q : node.path("openQuestions")) {
            String s = text(q);
            if (s != null && open.size() < 20) {
                open.add(s);
            }
        }
        JsonNode needsHuman = node.path("needsHuman");
        return new ModelAnswer(reply, confidence, text(node.path("intent")),
                needsHuman.isBoolean() ? needsHuman.asBoolean() : "true".equalsIgnoreCase(text(needsHuman)),
                text(node.path("handoffReason")), text(node.path("reasoningSummary")),
                text(node.path("suggestedNextAction")), facts, open, true);
    }

    /** The text without leading whitespace and a leading markdown fence line (```json). */
    private static String withoutFence(String text) {
        String s = text.stripLeading();
        if (s.startsWith("`")) {
            int newline = s.indexOf('\n');
            return newline < 0 ? "" : s.substring(newline + 1).stripLeading();
        }
        return s;
    }

    public static String toJson(ModelAnswer answer) {
        return JSON.writeValueAsString(answer);
    }

    public static ModelAnswer fromJson(String json) {
        return JSON.readValue(json, ModelAnswer.class);
    }

    /** Fact keys are compared in one spelling: lower snake case. */
    public static String normalizeKey(String key) {
        if (key == null) {
            return null;
        }
        String k = key.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return k.isEmpty() || k.length() > 64 ? null : k;
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        String s = n.isString() ? n.asString() : n.isValueNode() ? n.asString() : null;
        if (s == null || s.isBlank()) {
            return null;
        }
        s = s.strip();
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }
}
