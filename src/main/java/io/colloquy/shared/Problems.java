package io.colloquy.shared;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import tools.jackson.databind.json.JsonMapper;

/**
 * Builds RFC 9457 problem details with a stable type, for the advice and for servlet filters alike. Each
 * carries {@code traceId} while a trace is active: the id its request's log lines show.
 */
public final class Problems {

    /** The member naming the trace of the request a problem answers. */
    public static final String TRACE_ID = "traceId";

    private Problems() {
    }

    public static ProblemDetail of(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(ProblemTypes.uri(type));
        problem.setTitle(title);
        return traced(problem);
    }

    /** Adds the active trace's id to {@code problem} (unless it has one), so a caller can quote it. */
    public static ProblemDetail traced(ProblemDetail problem) {
        String traceId = Traces.currentTraceId();
        if (traceId != null && (problem.getProperties() == null || !problem.getProperties().containsKey(TRACE_ID))) {
            problem.setProperty(TRACE_ID, traceId);
        }
        return problem;
    }

    /** The problem a {@link ProblemException} stands for. */
    public static ProblemDetail of(ProblemException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(ex.status(), ex.getMessage());
        problem.setType(ex.type());
        problem.setTitle(ex.title());
        ex.properties().forEach(problem::setProperty);
        return traced(problem);
    }

    /** Storage could not be reached: nothing was changed, and the caller may retry shortly. */
    public static ProblemDetail storageUnavailable() {
        return of(HttpStatus.SERVICE_UNAVAILABLE, "storage-unavailable", "Storage unavailable",
                "Storage is temporarily unavailable; nothing was changed. Retry shortly");
    }

    /**
     * Whether {@code e} means the database could not be reached or did not answer in time (503, not 500):
     * Spring's own exceptions for that, or anything caused by a lost connection (a JDBC error in SQL state
     * class 08 or an administrator shutdown 57P0x, a pool timeout, a refused socket), however it was
     * wrapped (a failed rollback on a dead connection comes as a transaction system exception).
     */
    public static boolean isStorageUnavailable(Throwable e) {
        boolean dataAccess = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            dataAccess |= t instanceof org.springframework.dao.DataAccessException
                    || t instanceof org.springframework.transaction.TransactionException
                    || t instanceof java.sql.SQLException || t instanceof jakarta.persistence.PersistenceException
                    || t instanceof org.hibernate.HibernateException;
            if (dataAccess && t instanceof java.io.IOException) {
                // the database connection broke under a statement, a commit or a rollback
                return true;
            }
            if (t instanceof java.sql.SQLException && "Connection is closed".equals(t.getMessage())) {
                // the pool's word for a connection that broke before the rollback after a failed commit
                return true;
            }
            if (t instanceof org.springframework.dao.DataAccessResourceFailureException
                    || t instanceof org.springframework.jdbc.CannotGetJdbcConnectionException
                    || t instanceof org.springframework.transaction.CannotCreateTransactionException
                    || t instanceof org.springframework.dao.CannotAcquireLockException
                    || t instanceof org.springframework.dao.QueryTimeoutException
                    || t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.net.ConnectException
                    || t instanceof java.net.SocketException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
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
        traced(problem);
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
