package io.colloquy.shared;

import org.springframework.http.HttpStatus;

/**
 * Something the caller named does not exist for the caller's tenant. Another tenant's object is
 * answered the same way, so ids cannot be probed across tenants.
 */
public class NotFoundException extends ProblemException {

    public NotFoundException(String what, Object id) {
        super(HttpStatus.NOT_FOUND, "not-found", "Not found", what + " " + id + " was not found");
    }
}
