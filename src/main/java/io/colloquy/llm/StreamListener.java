package io.colloquy.llm;

/**
 * Receives a model's answer text as the provider produces it (a streamed call). The door retries an
 * attempt that failed only while nothing of it has reached the customer.
 */
public interface StreamListener {

    /** The next piece of the answer's raw text. */
    void onText(String chunk);

    /** True once anything of the current attempt was shown: the attempt can then no longer be retried. */
    boolean committed();

    /** Another attempt starts; what the previous one sent is void. */
    void restart();
}
