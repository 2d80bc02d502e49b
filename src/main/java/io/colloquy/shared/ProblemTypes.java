package io.colloquy.shared;

import java.net.URI;
import java.util.List;

/**
 * Problem type URIs are stable identifiers clients switch on. {@link #ALL} is the catalogue of every type the
 * service answers with; the README's error table and the OpenAPI description are made from it, and a test
 * checks it against the types the code raises.
 */
public final class ProblemTypes {

    private static final String BASE = "https://colloquy.io/problems/";

    /**
     * One problem type.
     *
     * @param slug   the URI's last segment
     * @param status the HTTP status it comes with
     * @param when   what the caller did (or what happened) to get it
     */
    public record Type(String slug, int status, String title, String when) {
        public URI uri() {
            return ProblemTypes.uri(slug);
        }
    }

    public static final List<Type> ALL = List.of(
            new Type("malformed-request", 400, "Malformed request",
                    "the body is missing, is not JSON, or is not of the expected shape (a number where text belongs, "
                            + "say); or the path or headers cannot be read (an encoded slash `%2F` or a NUL `%00` in the "
                            + "path, a broken percent-escape)"),
            new Type("invalid-request", 400, "Invalid request",
                    "a value the API cannot accept (an empty message, a month not written `YYYY-MM` or outside the "
                            + "years 0001-9999, metadata too large, a NUL character `\\u0000` in any text)"),
            new Type("validation-failed", 400, "Validation failed",
                    "fields or parameters out of range; `errors` lists them"),
            new Type("invalid-parameter", 400, "Invalid parameter", "a query parameter of the wrong type"),
            new Type("secrets-not-configured", 400, "Credentials cannot be stored",
                    "a tenant's own upstream key was given, but the deployment has no `colloquy.secrets.key`"),
            new Type("unauthorized", 401, "Unauthorized", "no API key, or an unknown or revoked one"),
            new Type("forbidden", 403, "Forbidden",
                    "the key lacks the role, or a platform key on a tenant's endpoint"),
            new Type("not-found", 404, "Not found",
                    "an unknown id, or another tenant's (answered exactly alike)"),
            new Type("turn-in-progress", 409, "Turn in progress",
                    "another turn of the conversation is still being answered"),
            new Type("conversation-closed", 409, "Conversation closed", "the conversation was closed by an agent"),
            new Type("idempotent-request-in-progress", 409, "Request in progress",
                    "the first request with this Idempotency-Key is still running"),
            new Type("illegal-state-transition", 409, "Conversation state does not allow this",
                    "the conversation's state does not allow the change"),
            new Type("handoff-already-claimed", 409, "Handoff already claimed",
                    "another agent claimed the handoff first (or it is resolved)"),
            new Type("handoff-not-claimed-by-caller", 409, "Handoff not claimed by you",
                    "replying to, releasing or resolving a handoff this key does not hold (or whose claim expired)"),
            new Type("price-exists", 409, "Price exists",
                    "a price for that provider, model and effectiveFrom exists; prices are never changed"),
            new Type("data-conflict", 409, "Data conflict",
                    "the request conflicts with data stored at the same moment; retry or correct it"),
            new Type("concurrent-modification", 409, "Concurrent modification",
                    "another request changed the resource at the same moment; retry"),
            new Type("message-too-long", 413, "Message too long",
                    "content over `colloquy.chat.max-message-chars`"),
            new Type("request-too-large", 413, "Request too large", "a body over `colloquy.max-request-bytes`"),
            new Type("idempotency-key-reused", 422, "Idempotency key reused",
                    "the same Idempotency-Key with a different body"),
            new Type("budget-exhausted", 429, "Monthly budget exhausted",
                    "the tenant's monthly budget is spent and it chose `REJECT` (with `Retry-After`)"),
            new Type("rate-limited", 429, "Too many requests",
                    "the tenant or the key sends requests faster than its limit (with `Retry-After`)"),
            new Type("too-many-streams", 429, "Too many open streams",
                    "the tenant holds `colloquy.events.max-streams-per-tenant` open streams on this instance "
                            + "(with `Retry-After`)"),
            new Type("internal-error", 500, "Internal error",
                    "an unexpected failure; `reference` names it in the service's log"),
            new Type("storage-unavailable", 503, "Storage unavailable",
                    "PostgreSQL is unreachable; nothing was changed (with `Retry-After`)"));

    private ProblemTypes() {
    }

    public static URI uri(String slug) {
        return URI.create(BASE + slug);
    }
}
