package io.colloquy.handoff;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
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

    private static final Pattern ASKS_FOR_PERSON = Pattern.compile(
            "\\b(?:(?:talk|speak|chat)\\s+(?:to|with)\\s+(?:a|an|your|some)?\\s*(?:real\\s+|live\\s+)?"
                    + "(?:human|person|agent|representative|rep|manager|supervisor|someone|somebody|operator)"
                    + "|(?:real|live)\\s+(?:human|person|agent)"
                    + "|human\\s+(?:agent|being|please)"
                    + "|customer\\s+service\\s+(?:agent|representative)"
                    + "|transfer\\s+me)\\b",
            Pattern.CASE_INSENSITIVE);

    private final double streakMargin;

    HandoffTriggers(HandoffProperties properties) {
        this.streakMargin = properties.streakMargin();
    }

    /** A trigger that needs no model answer: the customer's words or the tenant's policy topics. */
    public Optional<Trigger> beforeModel(String customerMessage, TenantSettings settings) {
        if (ASKS_FOR_PERSON.matcher(customerMessage).find()) {
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
