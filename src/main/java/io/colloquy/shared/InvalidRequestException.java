package io.colloquy.shared;

import org.springframework.http.HttpStatus;

/** A request that is well-formed JSON but asks for something the API cannot accept. */
public class InvalidRequestException extends ProblemException {

    public InvalidRequestException(String detail) {
        super(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
    }

    public InvalidRequestException(HttpStatus status, String type, String title, String detail) {
        super(status, type, title, detail);
    }
}
