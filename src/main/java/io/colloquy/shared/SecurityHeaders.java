package io.colloquy.shared;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The outermost filter: every answer of the API port carries the usual security headers, problems included.
 * <ul>
 * <li>{@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY} and {@code Referrer-Policy:
 * no-referrer} everywhere;</li>
 * <li>{@code Cache-Control: no-store}: answers carry personal data (transcripts, memory, packages) and must not be
 * kept by a browser or a proxy (a handler that sets its own caching overrides it);</li>
 * <li>a Content-Security-Policy: the agent console's pages may load scripts, styles and data from this origin only
 * (the console has no inline script or style); the API documentation page (Swagger UI, which uses inline styles)
 * only may not be framed; everything else (JSON) may load nothing at all.</li>
 * </ul>
 * The headers are set before the request goes on, and again when something resets the response (the last-resort
 * problem of {@link ErrorsAsProblems} does), so no answer goes out without them.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SecurityHeaders extends OncePerRequestFilter {

    /** The agent console's policy: its own scripts, styles and API calls, nothing inline, never framed. */
    static final String CONSOLE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    /** JSON answers load nothing and are never framed. */
    static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";
    /** Swagger UI styles itself inline: it is only kept out of frames. */
    static final String DOCUMENTATION_POLICY = "frame-ancestors 'none'";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String policy = policyFor(request.getRequestURI());
        apply(response, policy);
        chain.doFilter(request, new HttpServletResponseWrapper(response) {
            @Override
            public void reset() {
                super.reset();
                apply(this, policy);
            }
        });
    }

    /** On Tomcat's forward to the error page too (the original request's headers may have been reset). */
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    static String policyFor(String path) {
        if (path == null) {
            return API_POLICY;
        }
        if (path.equals("/console") || path.startsWith("/console/")) {
            return CONSOLE_POLICY;
        }
        if (path.startsWith("/swagger-ui") || path.startsWith("/v3/api-docs")) {
            return DOCUMENTATION_POLICY;
        }
        return API_POLICY;
    }

    static void apply(HttpServletResponse response, String policy) {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setHeader("Content-Security-Policy", policy);
    }
}
