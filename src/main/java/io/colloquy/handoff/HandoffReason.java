package io.colloquy.handoff;

/** Why a conversation went to a human; each reason has a default queue priority. */
public enum HandoffReason {
    /** A topic the tenant always routes to people (legal threats, medical questions, ...). */
    POLICY_TOPIC(70),
    /** The customer asked for a person. */
    CUSTOMER_REQUEST(60),
    /** The model's structured answer said a human is needed. */
    MODEL_REQUESTED(55),
    /** The model could not be reached (outage, timeout, broken answers). */
    LLM_UNAVAILABLE(50),
    /** Confidence stayed low several turns running. */
    LOW_CONFIDENCE_STREAK(45),
    /** The model's confidence was under the tenant's threshold. */
    LOW_CONFIDENCE(40),
    /** The tenant's monthly budget is spent and the tenant chose handoff for that case. */
    BUDGET_EXHAUSTED(30);

    private final int priority;

    HandoffReason(int priority) {
        this.priority = priority;
    }

    public int priority() {
        return priority;
    }
}
