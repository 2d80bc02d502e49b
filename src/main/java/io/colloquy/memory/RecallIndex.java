package io.colloquy.memory;

import java.util.List;

import io.colloquy.conversation.Message;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;

/**
 * Search over a conversation's archive: the messages only the running summary covers. Memory asks it,
 * before each model call, for the archived messages most relevant to the customer's new message and
 * quotes the best of them in the prompt.
 *
 * <p>The default is PostgreSQL full-text search ({@code FullTextRecall}: a weighted {@code tsvector}
 * per archived message, a GIN index, rarer shared words ranking higher), which needs no other service.
 * An operator with an embedding model can declare another implementation as a {@code @Primary} bean: for
 * example one that embeds the archived messages with Spring AI's {@code EmbeddingModel} into a
 * {@code VectorStore} (pgvector) with the tenant and conversation as metadata, and searches it with a
 * filter on both. {@link #archive} runs inside the turn's write transaction, so an implementation that
 * calls a model there should only queue the work (for after the commit) and embed outside it.
 */
public interface RecallIndex {

    /**
     * Makes the conversation's messages in {@code (afterSeq, throughSeq]} searchable: a compaction has just
     * archived them. Runs inside the caller's transaction; archiving a message twice changes nothing.
     */
    void archive(TenantId tenantId, ConversationId conversationId, int afterSeq, int throughSeq);

    /**
     * The archived messages (sequence at most {@code throughSeq}) most relevant to {@code text}, best
     * first, at most {@code limit}. Runs with no transaction, before the model is called.
     *
     * @param archived how many messages the archive holds (about), for weighing how rare a word is
     */
    List<Hit> search(TenantId tenantId, ConversationId conversationId, String text, int throughSeq, int archived,
                     int limit);

    /** An archived message and how well it matches (comparable only within one search). */
    record Hit(Message message, double score) {
    }
}
