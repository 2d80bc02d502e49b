package io.colloquy.usage;

/** How one attempt to call the model ended. */
public enum CallOutcome {
    SUCCESS,
    RATE_LIMITED,
    SERVER_ERROR,
    CONNECTION_ERROR,
    TIMEOUT,
    /** The provider answered with something the client could not read (an upstream protocol fault). */
    MALFORMED_RESPONSE,
    /** The provider refused the request (4xx other than 429): not worth retrying. */
    REJECTED;

    public boolean succeeded() {
        return this == SUCCESS;
    }
}
