package io.colloquy.shared;

import java.net.URI;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * A failure the caller can act on, answered as RFC 9457 problem details. Each module declares its own
 * subclasses; {@link ProblemHandling} turns all of them into responses, so there is one mapping.
 */
public abstract class ProblemException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final Map<String, Object> properties;

    protected ProblemException(HttpStatus status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of());
    }

    protected ProblemException(HttpStatus status, String type, String title, String detail,
                               Map<String, Object> properties) {
        // no stack trace: problems are expected outcomes, and filling one in costs time on every 4xx
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.properties = Map.copyOf(properties);
    }

    public HttpStatus status() {
        return status;
    }

    /** The stable problem type, a URI clients can switch on. */
    public URI type() {
        return ProblemTypes.uri(type);
    }

    public String title() {
        return title;
    }

    public Map<String, Object> properties() {
        return properties;
    }
}
