package io.colloquy.memory;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.colloquy.conversation.Message;
import io.colloquy.conversation.MessageRole;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;

/**
 * {@link RecallIndex} on PostgreSQL full-text search. A message gets its search vector when a compaction
 * archives it (one statement per compaction, nothing on the append path); a search ranks the archived
 * messages that share at least one word stem with the query by the summed rarity of the stems they share
 * (log of archive size over the number of archived messages holding the stem), so "dentist" outweighs
 * "today", then by speaker (the customer's own words first) and recency. At 1,000+ archived messages a
 * search takes a few milliseconds (BENCHMARKS.md, "Recall"); a conversation with no archive is never
 * searched.
 */
@Component
class FullTextRecall implements RecallIndex {

    /** A longer message is searched by its start and its end only (see {@link #queryText}). */
    private static final int MAX_QUERY_CHARS = 600;

    private final JdbcClient jdbc;

    FullTextRecall(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void archive(TenantId tenantId, ConversationId conversationId, int afterSeq, int throughSeq) {
        if (throughSeq <= afterSeq) {
            return;
        }
        jdbc.sql("""
                        INSERT INTO memory_archive (tenant_id, conversation_id, seq, tsv)
                        SELECT tenant_id, conversation_id, seq, setweight(to_tsvector('english', content),
                               CAST(CASE role WHEN 'CUSTOMER' THEN 'A' WHEN 'ASSISTANT' THEN 'C' ELSE 'B' END AS "char"))
                        FROM messages
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND seq > :after AND seq <= :through
                        ON CONFLICT DO NOTHING""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value())
                .param("after", afterSeq).param("through", throughSeq)
                .update();
    }

    @Override
    public List<Hit> search(TenantId tenantId, ConversationId conversationId, String text, int throughSeq,
                            int archived, int limit) {
        // each step materialized: the planner's estimates for these sets are poor, and re-running one per row
        // of another is what makes such a query slow; the transcript is read only for the few best
        return jdbc.sql("""
                        WITH terms AS MATERIALIZED (
                            SELECT l AS lexeme, CAST(quote_literal(l) AS tsquery) AS term
                            FROM unnest(tsvector_to_array(to_tsvector('english', :text))) AS l
                            WHERE strpos(l, chr(92)) = 0
                        ), hits AS MATERIALIZED (
                            SELECT a.seq, a.tsv FROM memory_archive a
                            WHERE a.tenant_id = :tenant AND a.conversation_id = :conversation AND a.seq <= :through
                              AND a.tsv @@ (SELECT CAST(string_agg(CAST(term AS text), ' | ') AS tsquery) FROM terms)
                        ), matches AS MATERIALIZED (
                            SELECT h.seq, t.lexeme FROM hits h JOIN terms t ON h.tsv @@ t.term
                        ), rarity AS MATERIALIZED (
                            SELECT lexeme, ln((:archived + 1.0) / count(*)) AS weight FROM matches GROUP BY lexeme
                        ), best AS MATERIALIZED (
                            SELECT m.seq, sum(r.weight) AS score FROM matches m JOIN rarity r ON r.lexeme = m.lexeme
                            GROUP BY m.seq ORDER BY score DESC, m.seq DESC LIMIT :candidates
                        )
                        SELECT m.seq, m.role, m.content, m.created_at, m.author,
                               best.score * CASE m.role WHEN 'CUSTOMER' THEN 1.0 WHEN 'ASSISTANT' THEN 0.5 ELSE 0.8 END
                                   AS score
                        FROM best CROSS JOIN LATERAL (
                            SELECT * FROM messages x
                            WHERE x.tenant_id = :tenant AND x.conversation_id = :conversation AND x.seq = best.seq) m
                        ORDER BY score DESC, m.seq DESC
                        LIMIT :limit""")
                .param("text", queryText(text)).param("tenant", tenantId.value())
                .param("conversation", conversationId.value()).param("through", throughSeq)
                .param("archived", Math.max(archived, 1)).param("candidates", limit * 3).param("limit", limit)
                .query((rs, n) -> new Hit(new Message(rs.getInt("seq"), MessageRole.valueOf(rs.getString("role")),
                        rs.getString("content"), rs.getTimestamp("created_at").toInstant(), null,
                        rs.getString("author"), null), rs.getDouble("score")))
                .list();
    }

    /** A long message is searched by its start and its end, where requests and questions usually are. */
    static String queryText(String text) {
        if (text.length() <= MAX_QUERY_CHARS) {
            return text;
        }
        int half = MAX_QUERY_CHARS / 2;
        return text.substring(0, half) + " " + text.substring(text.length() - half);
    }
}
