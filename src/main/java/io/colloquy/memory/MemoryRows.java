package io.colloquy.memory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.shared.TransactionScoped;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The memory row of each conversation, in plain SQL: one primary-key SELECT to read it and one upsert to
 * write it. It is read on every turn and written once or twice, so it is kept off the ORM's load,
 * snapshot, dirty check and all-column update, like the conversation row. {@code version} counts the
 * writes and guards against a second writer: every writer holds the conversation's row lock, so a
 * version that moved underneath is a bug, not a race to retry.
 */
@Component
class MemoryRows {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<List<PinnedFact>> FACTS = new TypeReference<>() {
    };
    private static final TypeReference<List<MemoryView.Recalled>> RECALLED = new TypeReference<>() {
    };

    /** Key of the per-transaction map of memory rows written. */
    private static final Object WRITTEN = new Object();

    private final JdbcClient jdbc;
    private final JsonMapper json;

    MemoryRows(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * The conversation's memory, or the empty memory of a conversation that has none yet. Within a
     * transaction that wrote it already, what that transaction wrote (no second read).
     */
    MemoryState read(TenantId tenantId, ConversationId conversationId) {
        Map<Key, MemoryState> written = TransactionScoped.existing(WRITTEN);
        MemoryState ours = written == null ? null : written.get(new Key(tenantId, conversationId));
        return ours != null ? ours : find(tenantId, conversationId).orElse(MemoryState.EMPTY);
    }

    private Optional<MemoryState> find(TenantId tenantId, ConversationId conversationId) {
        return jdbc.sql("""
                        SELECT summary, summary_tokens, covered_through_seq, intent, open_questions::text AS open_questions,
                               facts::text AS facts, last_prompt_tokens, last_recall::text AS last_recall, compactions,
                               extractive_compactions, updated_at, version
                        FROM conversation_memory WHERE tenant_id = :tenant AND conversation_id = :conversation""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value())
                .query((rs, n) -> state(rs)).optional();
    }

    /**
     * Writes {@code state} as the conversation's memory: inserted when the conversation has none yet, else
     * updated when the row is still at {@code state.version()}; the stored version moves on by one.
     */
    void write(TenantId tenantId, ConversationId conversationId, MemoryState state, Instant now) {
        if (!writeIfUnchanged(tenantId, conversationId, state, now)) {
            throw new OptimisticLockingFailureException("the memory of conversation " + conversationId
                    + " was written by someone else since version " + state.version());
        }
    }

    /**
     * Writes {@code state} as {@link #write} does, when the stored row is still at {@code state.version()}
     * (or there is none); false, having written nothing, when the row has moved on.
     */
    boolean writeIfUnchanged(TenantId tenantId, ConversationId conversationId, MemoryState state, Instant now) {
        Optional<Long> stored = jdbc.sql("""
                        INSERT INTO conversation_memory AS m (tenant_id, conversation_id, summary, summary_tokens,
                            covered_through_seq, intent, open_questions, facts, last_prompt_tokens, last_recall, compactions,
                            extractive_compactions, updated_at, version)
                        VALUES (:tenant, :conversation, :summary, :summaryTokens, :covered, :intent,
                            CAST(:openQuestions AS jsonb), CAST(:facts AS jsonb), :lastPromptTokens,
                            CAST(:lastRecall AS jsonb), :compactions, :extractive, :now, 0)
                        ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET summary = excluded.summary,
                            summary_tokens = excluded.summary_tokens, covered_through_seq = excluded.covered_through_seq,
                            intent = excluded.intent, open_questions = excluded.open_questions, facts = excluded.facts,
                            last_prompt_tokens = excluded.last_prompt_tokens, last_recall = excluded.last_recall,
                            compactions = excluded.compactions, extractive_compactions = excluded.extractive_compactions,
                            updated_at = excluded.updated_at, version = m.version + 1
                        WHERE m.tenant_id = :tenant AND m.version = :version
                        RETURNING m.version""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value())
                .param("summary", state.summary()).param("summaryTokens", state.summaryTokens())
                .param("covered", state.coveredThroughSeq()).param("intent", state.intent())
                .param("openQuestions", json.writeValueAsString(state.openQuestions()))
                .param("facts", json.writeValueAsString(state.facts()))
                .param("lastPromptTokens", state.lastPromptTokens())
                .param("lastRecall", json.writeValueAsString(state.lastRecall()))
                .param("compactions", state.compactions()).param("extractive", state.extractiveCompactions())
                .param("now", Timestamp.from(now)).param("version", state.version())
                .query(Long.class).optional();
        if (stored.isEmpty()) {
            return false;
        }
        writtenInThisTransaction().put(new Key(tenantId, conversationId), state.written(now, stored.get()));
        return true;
    }

    private record Key(TenantId tenantId, ConversationId conversationId) {
    }

    /** The rows this transaction wrote, as it wrote them; forgotten when it ends. Empty outside a transaction. */
    private static Map<Key, MemoryState> writtenInThisTransaction() {
        return TransactionSynchronizationManager.isSynchronizationActive() ? TransactionScoped.map(WRITTEN)
                : new HashMap<>();
    }

    private MemoryState state(ResultSet rs) throws SQLException {
        Timestamp updatedAt = rs.getTimestamp("updated_at");
        return new MemoryState(rs.getString("summary"), rs.getInt("summary_tokens"), rs.getInt("covered_through_seq"),
                rs.getString("intent"), List.copyOf(json.readValue(rs.getString("open_questions"), STRINGS)),
                List.copyOf(json.readValue(rs.getString("facts"), FACTS)), rs.getInt("last_prompt_tokens"),
                rs.getInt("compactions"), rs.getInt("extractive_compactions"), rs.getLong("version"),
                updatedAt == null ? null : updatedAt.toInstant(),
                List.copyOf(json.readValue(rs.getString("last_recall"), RECALLED)));
    }
}
