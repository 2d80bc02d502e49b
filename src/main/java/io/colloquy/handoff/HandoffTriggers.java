package io.colloquy.handoff;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import io.colloquy.llm.ModelAnswer;
import io.colloquy.tenant.TenantSettings;

/**
 * Decides whether a turn goes to a human. Checked in order of how certain the signal is: the
 * customer's own words first, then the tenant's policy, then the model's own judgement.
 */
@Component
public class HandoffTriggers {

    /** Who a customer may ask for: a person of the company's, never "my wife" or "the delivery person". */
    private static final String PERSON = "(?:a |an |your |some |one of your |the )?(?:real |live |actual |proper |"
            + "human )?(?:human(?: being| agent)?|person|people|agent|representative|rep|manager|supervisor|operator|"
            + "someone|somebody|anyone|anybody|staff(?: member)?|member of (?:staff|your team|the team)|"
            + "customer (?:service|support|care)(?: agent| representative| team)?|support (?:agent|team|staff))\\b";
    private static final String WHO = "(?:a |an |some |any )?(?:real |live |actual )?(?:human|person|agent|"
            + "representative|manager|supervisor|operator|someone|somebody|anyone|anybody|member of staff)\\b";
    private static final String TALK = "(?:talk|speak|chat|deal|get through)";

    /**
     * Asking for a person: a request frame around one ("can I talk to", "I want", "put me through to",
     * "get me", "is there ... I can speak to", "X please"), not a person merely mentioned ("it's great to
     * talk to someone who understands", "my manager asked me"). A frame negated within its clause ("I don't
     * want to talk to a person") is not a request. See {@link #asksForPerson}.
     */
    static final Pattern ASKS_FOR_PERSON = Pattern.compile(String.join("|",
            "\\b(?:can|could|may|might)(?:n?'t|not| not)? (?:i|we) (?:please |just |now )?" + TALK + " (?:to|with) " + PERSON,
            "\\b(?:i|we)(?:'d| would) (?:really |much )?(?:like|love|prefer|rather)(?: to)? " + TALK + " (?:to|with) " + PERSON,
            "\\b(?:i|we) (?:want|need|wanna|have|demand|wish|insist|would like) to " + TALK + " (?:to|with) " + PERSON,
            "\\blet (?:me|us) " + TALK + " (?:to|with) " + PERSON,
            "\\b(?:put|get|connect|transfer|pass|escalate|forward|route|send|hand) (?:me|us|this|it|my case|my request)"
                    + "(?: over| through| back)? (?:to|with) " + PERSON,
            "\\b(?:get|give|find|bring) (?:me|us) " + PERSON,
            "\\b(?:get|bring) " + WHO + " (?:on|in|involved|here|over)\\b",
            "\\b(?:i|we) (?:want|need|demand|require|request|insist on)(?: to have| to get)? (?:a |an |to get a |your )?"
                    + "(?:real |live |actual )?(?:human|person|agent|representative|manager|supervisor|operator)\\b",
            "\\b(?:is there|are there|do you have|have you got) " + WHO + "[^.?!]{0,30}?\\b(?:(?:i|we) (?:can|could) "
                    + TALK + "|(?:who|that) (?:can|could) (?:help|deal|handle|look))",
            "\\b(?:can|could|will) " + WHO + "(?: from (?:your |the )?(?:team|company|support|office|customer service))? (?:please )?"
                    + "(?:call|contact|phone|ring|email|get back to|reach out to|take over|look at|check|handle|review)",
            "\\b(?:please )?have " + WHO + " (?:call|contact|phone|ring|email|get back to|reach out to)",
            "(?:^|[.!?]\\s+)(?:please )?" + TALK + " (?:to|with) " + PERSON,
            "\\b(?:real |live )?(?:human|person|agent|representative|operator|manager|supervisor) (?:please|pls)\\b",
            "\\b(?:transfer|escalate) (?:me|this|my case)\\b"),
            Pattern.CASE_INSENSITIVE);
    /** A message that is nothing but the word for a person ("Agent", "human please", "Representative!"). */
    private static final Pattern ONLY_A_PERSON = Pattern.compile(
            "(?:a |an )?(?:real |live )?(?:human|person|agent|representative|rep|operator|manager|supervisor)"
                    + "(?: please| pls| now)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern NEGATION = Pattern.compile(
            "\\b(?:don'?t|do not|doesn'?t|does not|didn'?t|no need|not|never|won'?t|wouldn'?t|no)\\b",
            Pattern.CASE_INSENSITIVE);

    private final double streakMargin;

    HandoffTriggers(HandoffProperties properties) {
        this.streakMargin = properties.streakMargin();
    }

    /** A trigger that needs no model answer: the customer's words or the tenant's policy topics. */
    public Optional<Trigger> beforeModel(String customerMessage, TenantSettings settings) {
        if (asksForPerson(customerMessage)) {
            return Optional.of(new Trigger(HandoffReason.CUSTOMER_REQUEST, "The customer asked for a person"));
        }
        String lower = customerMessage.toLowerCase(Locale.ROOT);
        for (String topic : settings.policyTopics()) {
            String t = topic.toLowerCase(Locale.ROOT).strip();
            if (!t.isEmpty() && Pattern.compile("\\b" + Pattern.quote(t) + "\\b").matcher(lower).find()) {
                return Optional.of(new Trigger(HandoffReason.POLICY_TOPIC, "Policy topic: " + topic));
            }
        }
        return Optional.empty();
    }

    /** Whether the customer asks for a person, as opposed to mentioning one. */
    static boolean asksForPerson(String message) {
        String text = message.replace('\u2019', '\'').strip();
        if (ONLY_A_PERSON.matcher(text.replaceAll("[.!?,\\s]+$", "")).matches()) {
            return true;
        }
        Matcher m = ASKS_FOR_PERSON.matcher(text);
        while (m.find()) {
            int start = m.start();
            int clause = 0;
            for (char c : new char[] {'.', ',', ';', '!', '?', ':'}) {
                clause = Math.max(clause, text.lastIndexOf(c, start - 1) + 1);
            }
            if (!NEGATION.matcher(text.substring(Math.min(clause, start), start)).find()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A trigger from the model's answer.
     *
     * @param earlierConfidences the confidences of the model's previous answers, newest first
     */
    public Optional<Trigger> afterModel(ModelAnswer answer, List<Double> earlierConfidences, TenantSettings settings) {
        if (answer.needsHuman()) {
            return Optional.of(new Trigger(HandoffReason.MODEL_REQUESTED,
                    answer.handoffReason() != null ? answer.handoffReason() : "The model asked for a human"));
        }
        if (answer.reply() == null || answer.reply().isBlank()) {
            return Optional.of(new Trigger(HandoffReason.MODEL_REQUESTED, "The model gave no reply"));
        }
        Double confidence = answer.confidence();
        if (confidence == null) {
            // an unparsed answer has unknown confidence: it neither triggers nor breaks a streak
            return Optional.empty();
        }
        double threshold = settings.confidenceThreshold().doubleValue();
        if (confidence < threshold) {
            return Optional.of(new Trigger(HandoffReason.LOW_CONFIDENCE,
                    "Confidence %.2f is under the threshold %.2f".formatted(confidence, threshold)));
        }
        double low = Math.min(1.0, threshold + streakMargin);
        int streak = settings.lowConfidenceStreak();
        if (confidence < low && earlierConfidences.size() >= streak - 1
                && earlierConfidences.stream().limit(streak - 1).allMatch(c -> c != null && c < low)) {
            return Optional.of(new Trigger(HandoffReason.LOW_CONFIDENCE_STREAK,
                    "Confidence under %.2f for %d answers running".formatted(low, streak)));
        }
        return Optional.empty();
    }
}
