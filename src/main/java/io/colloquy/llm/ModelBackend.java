package io.colloquy.llm;

import java.util.List;

/** A model provider behind the door: the simulated model or an OpenAI-compatible server. */
interface ModelBackend {

    /** The provider's name in usage rows and the price table. */
    String provider();

    /**
     * Makes one call, with no retries of its own. With a listener the answer is streamed: each piece of
     * its text goes to the listener as it arrives, and the reply carries the whole text at the end.
     *
     * @param listener null for a call answered in one piece
     * @throws UpstreamException when the provider failed or answered something unreadable
     */
    BackendReply call(BackendCall call, StreamListener listener);

    record BackendCall(String model, List<PromptMessage> messages, int maxOutputTokens, boolean structured,
                       io.colloquy.usage.CallPurpose purpose) {
    }

    /**
     * @param promptTokens null when the provider reported no usage; the door then estimates
     */
    record BackendReply(String text, String model, Integer promptTokens, Integer cachedPromptTokens,
                        Integer completionTokens) {
    }
}
