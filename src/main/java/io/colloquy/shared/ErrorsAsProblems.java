package io.colloquy.shared;

import java.io.IOException;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import tools.jackson.databind.json.JsonMapper;

/**
 * The outermost filter but two: a failure that escapes everything else (one in another filter, such as
 * the API key lookup when the database is away, which the controller advice never sees) is still
 * answered as problem details: 503 with Retry-After when the database could not be reached, else 500
 * with a reference. Never the servlet container's HTML page or a stack trace. Only {@link SecurityHeaders}
 * (which sets its headers again after the reset here) and the HTTP observation (order +1) wrap it, so these
 * problems and their log lines carry the request's trace id, and the request's metrics see the status the caller
 * got.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class ErrorsAsProblems extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(ErrorsAsProblems.class);

    private final JsonMapper json;

    ErrorsAsProblems(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            if (response.isCommitted()) {
                throw e;
            }
            response.reset();
            if (Problems.isStorageUnavailable(e)) {
                log.error("Storage unavailable: {}", e.toString());
                response.setHeader(HttpHeaders.RETRY_AFTER, "5");
                Problems.write(request, response, json, Problems.storageUnavailable());
                return;
            }
            String reference = UUID.randomUUID().toString();
            log.error("Unexpected failure, reference {}", reference, e);
            Problems.write(request, response, json, Problems.unexpected(reference));
        }
    }
}
