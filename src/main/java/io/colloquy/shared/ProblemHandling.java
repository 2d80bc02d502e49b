package io.colloquy.shared;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place where failures become RFC 9457 problem details. Callers never see a stack trace;
 * an unexpected failure is logged with a reference the caller also receives.
 */
@RestControllerAdvice
class ProblemHandling extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandling.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Object> problem(ProblemException ex, WebRequest request) {
        ProblemDetail body = Problems.of(ex);
        HttpHeaders headers = new HttpHeaders();
        if (ex.properties().get("retryAfterSeconds") instanceof Number seconds) {
            headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(seconds.longValue()));
        }
        return handleExceptionInternal(ex, body, headers, ex.status(), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException ex, WebRequest request) {
        // an id that is not even a UUID names nothing that exists
        boolean pathVariable = ex.getParameter().hasParameterAnnotation(
                org.springframework.web.bind.annotation.PathVariable.class);
        HttpStatus status = pathVariable ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;
        ProblemDetail body = Problems.of(status, pathVariable ? "not-found" : "invalid-parameter",
                pathVariable ? "Not found" : "Invalid parameter", "Parameter '" + ex.getName() + "' has an invalid value");
        return handleExceptionInternal(ex, body, new HttpHeaders(), status, request);
    }

    @ExceptionHandler(jakarta.validation.ConstraintViolationException.class)
    ResponseEntity<Object> constraintViolation(jakarta.validation.ConstraintViolationException ex, WebRequest request) {
        List<String> errors = ex.getConstraintViolations().stream()
                .map(v -> v.getPropertyPath() + ": " + v.getMessage()).sorted().toList();
        ProblemDetail body = Problems.of(HttpStatus.BAD_REQUEST, "validation-failed", "Validation failed",
                "The request has invalid values");
        body.setProperty("errors", errors);
        return handleExceptionInternal(ex, body, new HttpHeaders(), HttpStatus.BAD_REQUEST, request);
    }

    @ExceptionHandler(org.springframework.dao.DataIntegrityViolationException.class)
    ResponseEntity<Object> integrity(org.springframework.dao.DataIntegrityViolationException ex, WebRequest request) {
        // the driver's message can quote the offending data: it goes to the log as a class name only
        log.warn("Data integrity violation: {}", ex.getClass().getSimpleName());
        ProblemDetail body = Problems.of(HttpStatus.CONFLICT, "data-conflict", "Data conflict",
                "The request conflicts with data stored at the same time or breaks a storage rule; retry or correct it");
        return handleExceptionInternal(ex, body, new HttpHeaders(), HttpStatus.CONFLICT, request);
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    ResponseEntity<Object> concurrentChange(OptimisticLockingFailureException ex, WebRequest request) {
        ProblemDetail body = Problems.of(HttpStatus.CONFLICT, "concurrent-modification", "Concurrent modification",
                "The resource was changed by another request at the same time; retry");
        return handleExceptionInternal(ex, body, new HttpHeaders(), HttpStatus.CONFLICT, request);
    }

    /**
     * Anything else: a database that went away (however it surfaced: a failed connection, a failed
     * rollback on a dead connection) is 503 with Retry-After and nothing changed; the rest is a 500 with a
     * reference that is also in the log.
     */
    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex, WebRequest request) {
        if (Problems.isStorageUnavailable(ex)) {
            log.error("Storage unavailable: {}", ex.toString());
            HttpHeaders headers = new HttpHeaders();
            headers.set(HttpHeaders.RETRY_AFTER, "5");
            return handleExceptionInternal(ex, Problems.storageUnavailable(), headers, HttpStatus.SERVICE_UNAVAILABLE,
                    request);
        }
        String reference = UUID.randomUUID().toString();
        log.error("Unexpected failure, reference {}", reference, ex);
        ProblemDetail body = Problems.unexpected(reference);
        return handleExceptionInternal(ex, body, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof RequestSizeLimit.BodyTooLargeException tooLarge) {
                // a chunked body that passed the limit while it was read
                return handleExceptionInternal(ex, RequestSizeLimit.tooLarge(tooLarge.maxBytes()), headers,
                        HttpStatus.CONTENT_TOO_LARGE, request);
            }
        }
        ProblemDetail body = Problems.of(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request",
                "The request body is missing or is not valid JSON of the expected shape");
        return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** A path that names nothing (the actuator's too: it answers on the management port only). */
    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(
            org.springframework.web.servlet.resource.NoResourceFoundException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail body = Problems.of(HttpStatus.NOT_FOUND, "not-found", "Not found", "No such resource");
        return handleExceptionInternal(ex, body, headers, HttpStatus.NOT_FOUND, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(e -> Map.of("field", e.getField(),
                        "message", String.valueOf(e.getDefaultMessage())))
                .toList();
        ProblemDetail body = Problems.of(HttpStatus.BAD_REQUEST, "validation-failed", "Validation failed",
                "The request has invalid fields");
        body.setProperty("errors", errors);
        return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<String> errors = ex.getAllErrors().stream().map(e -> String.valueOf(e.getDefaultMessage())).toList();
        ProblemDetail body = Problems.of(HttpStatus.BAD_REQUEST, "validation-failed", "Validation failed",
                "The request has invalid parameters");
        body.setProperty("errors", errors);
        return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** Every problem names the request it answers, and its trace (Spring's own problems too: 405, 406, 415). */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem && problem.getInstance() == null
                && request instanceof ServletWebRequest servlet) {
            problem.setInstance(URI.create(servlet.getRequest().getRequestURI()));
        }
        if (body instanceof ProblemDetail problem) {
            Problems.traced(problem);
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }
}
