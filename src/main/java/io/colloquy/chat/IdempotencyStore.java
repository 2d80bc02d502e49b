package io.colloquy.chat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
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
 * called once); the same key with another body is 422; a retry while the first is still running is 409.
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
     * same key cannot both pass): the stored answer for a repeat, or empty when this request is the first.
     *
     * @param abandonAfter an unfinished entry older than this belonged to a turn that died; it is taken over
     */
    <T> Optional<T> begin(TenantId tenantId, ConversationId conversationId, String key, String body,
                          Duration abandonAfter, Class<T> responseType) {
        byte[] hash = sha256(body);
        var existing = jdbc.sql("""
                        SELECT request_hash, response::text AS response, created_at FROM idempotency_keys
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND idempotency_key = :key""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                .query((rs, n) -> new Object[] {rs.getBytes("request_hash"), rs.getString("response"),
                        rs.getTimestamp("created_at").toInstant()})
                .optional();
        if (existing.isEmpty()) {
            jdbc.sql("""
                            INSERT INTO idempotency_keys (tenant_id, conversation_id, idempotency_key, request_hash, created_at)
                            VALUES (:tenant, :conversation, :key, :hash, :now)""")
                    .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                    .param("hash", hash).param("now", Timestamp.from(clock.instant()))
                    .update();
            return Optional.empty();
        }
        Object[] row = existing.get();
        if (!Arrays.equals((byte[]) row[0], hash)) {
            throw new InvalidRequestException(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
                    "Idempotency key reused", "This Idempotency-Key was used with a different message body");
        }
        if (row[1] != null) {
            return Optional.of(json.readValue((String) row[1], responseType));
        }
        if (((java.time.Instant) row[2]).plus(abandonAfter).isAfter(clock.instant())) {
            throw new ConflictException("idempotent-request-in-progress", "Request in progress",
                    "A request with this Idempotency-Key is still being answered; retry shortly");
        }
        jdbc.sql("""
                        UPDATE idempotency_keys SET created_at = :now
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND idempotency_key = :key""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                .param("now", Timestamp.from(clock.instant()))
                .update();
        return Optional.empty();
    }

    void complete(TenantId tenantId, ConversationId conversationId, String key, Object response) {
        jdbc.sql("""
                        UPDATE idempotency_keys SET response = CAST(:response AS jsonb)
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND idempotency_key = :key""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                .param("response", json.writeValueAsString(response))
                .update();
    }

    /** Forgets an unfinished entry whose turn failed, so the client's retry is answered afresh. */
    void abandon(TenantId tenantId, ConversationId conversationId, String key) {
        jdbc.sql("""
                        DELETE FROM idempotency_keys WHERE tenant_id = :tenant AND conversation_id = :conversation
                        AND idempotency_key = :key AND response IS NULL""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value()).param("key", key)
                .update();
    }

    private static byte[] sha256(String body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
