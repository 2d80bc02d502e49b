package io.colloquy.chat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.colloquy.shared.ConflictException;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.TenantId;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} for turns: the same key and body gets the first answer again (the model is
 * called once); the same key with another body is 422; a retry while the first is still being answered
 * is 409 with Retry-After. A record names the customer message its request stored, and is never taken
 * over: a turn cut off by a crash is answered by the recovery (as an async turn), which completes the
 * record, so the retry is told that outcome and the message is never stored twice.
 */
@Repository
class IdempotencyStore {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    IdempotencyStore(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Inside the turn's first transaction (the conversation row is locked, so two requests with the
     * same key cannot both pass): the stored answer for a repeat, or empty when this request is the
     * first (the caller then {@link #record}s it once it stored the customer's message).
     */
    <T> Optional<T> lookUp(TenantId tenantId, ConversationId conversationId, String key, String body,
                           Class<T> responseType) {
        var existing = jdbc.sql("""
                        SELECT request_hash, response::text AS response FROM idempotency_keys
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND idempotency_key = :key""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                .query((rs, n) -> new Object[] {rs.getBytes("request_hash"), rs.getString("response")})
                .optional();
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = existing.get();
        if (!Arrays.equals((byte[]) row[0], sha256(body))) {
            throw new InvalidRequestException(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
                    "Idempotency key reused", "This Idempotency-Key was used with a different message body");
        }
        if (row[1] == null) {
            throw new RequestInProgressException();
        }
        return Optional.of(json.readValue((String) row[1], responseType));
    }

    /** Forgets the tenant's keys recorded before {@code before} (they expire; see {@code idempotency-ttl}). */
    int forgetOlderThan(TenantId tenantId, java.time.Instant before) {
        return jdbc.sql("DELETE FROM idempotency_keys WHERE tenant_id = :tenant AND created_at < :before")
                .param("tenant", tenantId.value()).param("before", Timestamp.from(before)).update();
    }

    /** Remembers the first request with this key and the customer message it stored (same transaction). */
    void record(TenantId tenantId, ConversationId conversationId, String key, String body, Integer customerSeq) {
        jdbc.sql("""
                        INSERT INTO idempotency_keys (tenant_id, conversation_id, idempotency_key, request_hash,
                            customer_seq, created_at)
                        VALUES (:tenant, :conversation, :key, :hash, :seq, :now)""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                .param("hash", sha256(body)).param("seq", customerSeq).param("now", Timestamp.from(clock.instant()))
                .update();
    }

    void complete(TenantId tenantId, ConversationId conversationId, String key, Object response) {
        jdbc.sql("""
                        UPDATE idempotency_keys SET response = CAST(:response AS jsonb)
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND idempotency_key = :key""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                .param("response", json.writeValueAsString(response))
                .update();
    }

    /**
     * A synchronous turn cut off before it answered was answered later (as an async turn): the request
     * that stored its customer message, if it carried a key, gets that answer on its retry.
     */
    void completeForCustomerMessage(TenantId tenantId, ConversationId conversationId, int customerSeq,
                                    TurnResponse response) {
        jdbc.sql("""
                        UPDATE idempotency_keys SET response = CAST(:response AS jsonb)
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND customer_seq = :seq
                        AND response IS NULL AND idempotency_key LIKE 'sync:%'""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("seq", customerSeq)
                .param("response", json.writeValueAsString(response))
                .update();
    }

    private static byte[] sha256(String body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first request with this key is still being answered (or its answer is being recovered). */
    static class RequestInProgressException extends ConflictException {
        RequestInProgressException() {
            super("idempotent-request-in-progress", "Request in progress",
                    "A request with this Idempotency-Key is still being answered; retry shortly",
                    Map.of("retryAfterSeconds", 2));
        }
    }
}
