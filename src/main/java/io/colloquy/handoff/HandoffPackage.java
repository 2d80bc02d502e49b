package io.colloquy.handoff;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.swagger.v3.oas.annotations.media.Schema;

import io.colloquy.llm.ModelAnswer;

/**
 * Everything an agent needs to continue without asking the customer to repeat anything. Card numbers
 * and the tenant's sensitive patterns are masked throughout.
 *
 * @param transcript           the conversation up to the handoff (all of it, or the most recent part when
 *                             {@code transcriptRef} is set)
 * @param transcriptRef        where to read the earlier part of a long transcript, or null
 * @param lastModelAnswer      the model's last structured answer (its reasoning state), or null
 * @param confidenceHistory    the confidence of the model's recent answers, oldest first
 * @param messagesWhileWaiting customer messages sent after the handoff
 * @param waitingSeconds       how long the customer has waited since the handoff
 * @param recalled             the earlier messages memory quoted to the model for the last turn (masked)
 */
public record HandoffPackage(List<PackagedMessage> transcript, TranscriptRef transcriptRef, String summary,
                             List<Fact> facts, String intent, List<String> openQuestions,
                             ModelAnswer lastModelAnswer, List<Double> confidenceHistory, String suggestedNextAction,
                             List<PackagedMessage> messagesWhileWaiting, long waitingSeconds, List<Recalled> recalled) {

    /** An archived message memory recalled into the model's last prompt. */
    public record Recalled(int seq, String role, Instant createdAt, String quote) {
    }

    /** A pinned fact as packaged for the agent (masked). Named apart from the model's own facts in the API description. */
    @Schema(name = "HandoffFact")
    public record Fact(String key, String value, Integer sourceSeq, String previousValue) {
    }

    public record PackagedMessage(int seq, String role, String content, Instant createdAt, String author) {
    }

    public record TranscriptRef(UUID conversationId, int fromSeq, int throughSeq, String href) {
    }
}
