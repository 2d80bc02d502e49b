package io.colloquy.tenant;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import io.colloquy.shared.Problems;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resolves the caller from {@code Authorization: Bearer <key>} on every {@code /api/*} request (the
 * registration decides which requests, on the decoded path; the raw request URI is never consulted,
 * since {@code /%61pi/} would slip past a prefix check on it). A missing or unknown key ends the
 * request here with 401; role checks come later, per endpoint.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String PRINCIPAL_ATTRIBUTE = TenantPrincipal.class.getName();

    private final ApiKeys apiKeys;
    private final RateLimits rateLimits;
    private final Tenants tenants;
    private final JsonMapper json;

    ApiKeyAuthenticationFilter(ApiKeys apiKeys, RateLimits rateLimits, Tenants tenants, JsonMapper json) {
        this.apiKeys = apiKeys;
        this.rateLimits = rateLimits;
        this.tenants = tenants;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 512) {
            unauthorized(request, response, "Send an API key as 'Authorization: Bearer <key>'");
            return;
        }
        ApiKeys.Resolution resolution = apiKeys.resolve(header.substring(7).strip());
        if (resolution instanceof ApiKeys.Resolution.Expired expired) {
            unauthorized(request, response, "The API key expired at " + expired.at() + "; ask for a new one");
            return;
        }
        if (!(resolution instanceof ApiKeys.Resolution.Valid valid)) {
            unauthorized(request, response, "The API key is not valid");
            return;
        }
        TenantPrincipal caller = valid.principal();
        java.util.Optional<java.time.Duration> wait = rateLimits.take(caller,
                caller.tenantId() == null ? null : tenants.settings(caller.tenantId()));
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
            var problem = Problems.of(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                    "This account or key is sending requests faster than its limit; retry after " + seconds + " s");
            problem.setProperty("retryAfterSeconds", seconds);
            Problems.write(request, response, json, problem);
            return;
        }
        request.setAttribute(PRINCIPAL_ATTRIBUTE, caller);
        // ids only: logs never carry keys or message content
        MDC.put("tenant", caller.tenantId() == null ? "platform" : caller.tenantId().toString());
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("tenant");
        }
    }

    private void unauthorized(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        Problems.write(request, response, json, Problems.of(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail));
    }
}
