package io.colloquy.handoff;

import java.util.List;

/**
 * A suggested next step for the agent when the model gave none (it was unreachable, or the handoff
 * was decided before it was asked): built from the intent, the pinned facts and the customer's latest
 * message, which may be one sent while waiting.
 */
final class NextActions {

    private NextActions() {
    }

    static String suggest(HandoffReason reason, String intent, List<HandoffPackage.Fact> facts,
                          String lastCustomerMessage) {
        StringBuilder s = new StringBuilder();
        s.append(switch (reason) {
            case LLM_UNAVAILABLE -> "The assistant is unavailable; answer the customer directly.";
            case BUDGET_EXHAUSTED -> "The assistant is paused for this account's budget; answer the customer directly.";
            case CUSTOMER_REQUEST -> "The customer asked for a person; introduce yourself.";
            case POLICY_TOPIC -> "This topic needs a person by policy; handle it under that policy.";
            default -> "Review the conversation and answer the customer.";
        });
        if (intent != null) {
            s.append(" They want: ").append(intent).append('.');
        }
        List<String> identifiers = facts.stream()
                .filter(f -> f.key().endsWith("_number") || f.key().equals("email") || f.key().endsWith("amount"))
                .limit(4)
                .map(f -> f.key().replace('_', ' ') + " " + f.value())
                .toList();
        if (!identifiers.isEmpty()) {
            s.append(" Already given: ").append(String.join(", ", identifiers)).append(" (do not ask again).");
        }
        if (lastCustomerMessage != null && !lastCustomerMessage.isBlank()) {
            String quoted = lastCustomerMessage.length() > 160 ? lastCustomerMessage.substring(0, 157) + "..." : lastCustomerMessage;
            s.append(" Reply to their last message: \"").append(quoted).append("\"");
        }
        return s.toString();
    }
}
