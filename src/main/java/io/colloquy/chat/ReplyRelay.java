package io.colloquy.chat;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.colloquy.handoff.Trigger;
import io.colloquy.llm.ModelAnswer;
import io.colloquy.llm.ReplyExtractor;
import io.colloquy.llm.StreamListener;

/**
 * Relays a streamed model answer to the customer, and only what the customer should read. The answer's
 * JSON starts with {@code needsHuman} and {@code confidence}; the reply text is held back until both are
 * known, and then either relayed as it arrives, or (when they hand the conversation to a person) never
 * shown: the customer reads the holding reply instead, exactly as in a JSON turn. A model that writes
 * its reply before those fields has its reply shown once they arrive, or at the end.
 */
final class ReplyRelay implements StreamListener {

    private final TurnListener listener;
    /** The trigger decision from the two signals, with the earlier confidences already bound. */
    private final Function<ModelAnswer, Optional<Trigger>> decide;
    private ReplyExtractor extractor;
    private final StringBuilder held = new StringBuilder();
    private final StringBuilder shown = new StringBuilder();
    private Boolean needsHuman;
    private Double confidence;
    private boolean sawConfidence;
    private Optional<Trigger> decision;

    ReplyRelay(TurnListener listener, Function<ModelAnswer, Optional<Trigger>> decide) {
        this.listener = listener;
        this.decide = decide;
        restart();
    }

    @Override
    public void restart() {
        held.setLength(0);
        needsHuman = null;
        confidence = null;
        sawConfidence = false;
        decision = null;
        extractor = new ReplyExtractor(this::replyText, new ReplyExtractor.Signals() {
            @Override
            public void needsHuman(boolean value) {
                needsHuman = value;
                decideIfReady();
            }

            @Override
            public void confidence(Double value) {
                confidence = value;
                sawConfidence = true;
                decideIfReady();
            }
        });
    }

    @Override
    public void onText(String chunk) {
        extractor.feed(chunk);
    }

    @Override
    public boolean committed() {
        return !shown.isEmpty();
    }

    /** The trigger the stream's signals fired, if they fired one (decided before any text was shown). */
    Optional<Trigger> trigger() {
        return decision == null ? Optional.empty() : decision;
    }

    /** What the customer has read of the model's answer. */
    String shown() {
        return shown.toString();
    }

    /**
     * The turn is written: shows the rest of {@code finalReply}, the text the transcript keeps. After a
     * handoff the earlier text is void and the whole of it follows.
     */
    void settle(String finalReply, boolean afterHandoff) {
        if (finalReply == null) {
            return;
        }
        String rest = afterHandoff || !finalReply.startsWith(shown.toString()) ? finalReply
                : finalReply.substring(shown.length());
        if (!rest.isEmpty()) {
            listener.delta(rest);
        }
    }

    private void decideIfReady() {
        if (decision == null && needsHuman != null && sawConfidence) {
            decide();
        }
    }

    private void decide() {
        // the reply itself is not known yet; a placeholder keeps the "no reply" rule out of this early decision
        ModelAnswer signals = new ModelAnswer("(pending)", confidence, null, Boolean.TRUE.equals(needsHuman), null,
                null, null, List.of(), List.of(), true);
        decision = decide.apply(signals);
        if (decision.isEmpty() && !held.isEmpty()) {
            show(held.toString());
            held.setLength(0);
        }
    }

    private void replyText(String text) {
        if (decision == null) {
            held.append(text);
        } else if (decision.isEmpty()) {
            show(text);
        }
    }

    private void show(String text) {
        shown.append(text);
        listener.delta(text);
    }
}
