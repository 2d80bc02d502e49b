package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.conversation.Message;
import io.colloquy.conversation.MessageRole;
import io.colloquy.llm.ModelAnswers;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.support.ServiceTestBase;
import io.colloquy.tenant.Tenants;

/**
 * A turn writes back the memory it read for its prompt, with what the answer added, in one statement;
 * when the memory was written by someone else in between, the turn's changes are applied to what is
 * stored now instead, so nothing written meanwhile is lost.
 */
class MemoryWriteBackIntegrationTest extends ServiceTestBase {

    @Autowired
    SessionMemory memory;
    @Autowired
    Tenants tenants;
    @Autowired
    PlatformTransactionManager transactions;

    /** A conversation after one turn through the API, and the prompt for its first message built again. */
    private record Prepared(TenantId tenantId, ConversationId conversationId, long versionBefore,
                            PreparedContext context) {
    }

    private Prepared promptAfterOneTurn(String firstMessage) {
        var tenant = fixtures.tenant();
        UUID id = fixtures.conversation(tenant);
        fixtures.say(tenant, id, firstMessage);
        TenantId tenantId = TenantId.of(tenant.id());
        ConversationId conversationId = ConversationId.of(id);
        long before = memory.view(tenantId, conversationId, 1000).version();
        return new Prepared(tenantId, conversationId, before, memory.prepare(tenantId, conversationId,
                tenants.settings(tenantId), 1, Instant.now().plusSeconds(10)));
    }

    @Test
    void aTurnKeepsWhatWasWrittenToMemoryWhileItsModelAnswered() {
        Prepared prepared = promptAfterOneTurn("Hello, I need help with a delivery.");
        TenantId tenantId = prepared.tenantId();
        ConversationId conversationId = prepared.conversationId();
        var tx = new TransactionTemplate(transactions);
        // while the model answers, another writer changes the memory (here: a fact pinned from a message)
        tx.executeWithoutResult(s -> memory.pinFromCustomerMessage(tenantId, conversationId,
                new Message(1, MessageRole.CUSTOMER, "My order is A-55555", Instant.now(), null, null, null)));
        tx.executeWithoutResult(s -> memory.commitTurn(prepared.context(), ModelAnswers.parse("""
                {"reply": "Noted.", "confidence": 0.9, "intent": "delivery to a new city",
                 "facts": [{"key": "city", "value": "Lyon"}]}"""), 1));

        MemoryView view = memory.view(tenantId, conversationId, 1000);
        assertThat(view.facts()).extracting(MemoryView.FactView::value).contains("A-55555", "Lyon");
        assertThat(view.intent()).isEqualTo("delivery to a new city");
        assertThat(view.version()).as("two writes since the prompt was built")
                .isEqualTo(prepared.versionBefore() + 2);
    }

    @Test
    void aTurnWritesBackTheMemoryItReadWhenNothingChangedMeanwhile() {
        Prepared prepared = promptAfterOneTurn("My order is A-77777 and it has not arrived.");

        new TransactionTemplate(transactions).executeWithoutResult(s -> memory.commitTurn(prepared.context(),
                ModelAnswers.parse("""
                        {"reply": "Noted.", "confidence": 0.9, "intent": "late order",
                         "facts": [{"key": "city", "value": "Nantes"}]}"""), 1));

        MemoryView view = memory.view(prepared.tenantId(), prepared.conversationId(), 1000);
        assertThat(view.facts()).extracting(MemoryView.FactView::value).contains("A-77777", "Nantes");
        assertThat(view.version()).isEqualTo(prepared.versionBefore() + 1);
    }
}
