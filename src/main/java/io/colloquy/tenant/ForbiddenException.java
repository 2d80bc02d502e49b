package io.colloquy.tenant;

import org.springframework.http.HttpStatus;

import io.colloquy.shared.ProblemException;

/** The key is valid but may not do this. */
public class ForbiddenException extends ProblemException {

    public ForbiddenException(String detail) {
        super(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", detail);
    }
}
