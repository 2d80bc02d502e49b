package io.colloquy.shared;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import tools.jackson.databind.json.JsonMapper;

/** Builds RFC 9457 problem details with a stable type, for the advice and for servlet filters alike. */
public final class Problems {

    private Problems() {
    }

    public static ProblemDetail of(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(ProblemTypes.uri(type));
        problem.setTitle(title);
        return problem;
    }

    /** The problem a {@link ProblemException} stands for. */
    public static ProblemDetail of(ProblemException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
        problem.setType(ex.type());
        problem.setTitle(ex.title());
        ex.properties().forEach(problem::setProperty);
        return problem;
    }

    /** Storage could not be reached: nothing was changed, and the caller may retry shortly. */
    public static ProblemDetail storageUnavailable() {
        return of(HttpStatus.SERVICE_UNAVAILABLE, "storage-unavailable", "Storage unavailable",
                "Storage is temporarily unavailable; nothing was changed. Retry shortly");
    }

    /** Whether {@code e} means the database could not be reached or did not answer in time (503, not 500). */
    public static boolean isStorageUnavailable(Throwable e) {
        return e instanceof org.springframework.dao.DataAccessResourceFailureException
                || e instanceof org.springframework.jdbc.CannotGetJdbcConnectionException
                || e instanceof org.springframework.transaction.CannotCreateTransactionException
                || e instanceof org.springframework.dao.CannotAcquireLockException
                || e instanceof org.springframework.dao.QueryTimeoutException;
    }

    /** An unexpected failure, named by a reference that is also in the log. */
    public static ProblemDetail unexpected(String reference) {
        ProblemDetail body = of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "An unexpected error occurred; quote reference " + reference);
        body.setProperty("reference", reference);
        return body;
    }

    /** Answers a request from a filter, before it reaches any controller. */
    public static void write(HttpServletRequest request, HttpServletResponse response, JsonMapper json,
                             ProblemDetail problem) throws IOException {
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
