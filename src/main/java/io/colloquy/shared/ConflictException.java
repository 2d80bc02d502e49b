package io.colloquy.shared;

import org.springframework.http.HttpStatus;

/** The request is valid but the resource's current state does not allow it. */
public class ConflictException extends ProblemException {

    public ConflictException(String type, String title, String detail) {
        super(HttpStatus.CONFLICT, type, title, detail);
    }

    /** With {@code retryAfterSeconds} among the properties, the answer carries a Retry-After header. */
    public ConflictException(String type, String title, String detail, java.util.Map<String, Object> properties) {
        super(HttpStatus.CONFLICT, type, title, detail, properties);
    }
}
