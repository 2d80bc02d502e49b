package io.colloquy.chat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.conversation.Conversations;
import io.colloquy.shared.LogContext;

/**
 * Finds turns whose lease ran out (their instance died, or lost the database, in the middle of a turn),
 * frees their conversations at once, and queues each one's unanswered customer message as an async turn,
 * so it is answered (or handed to a person) instead of forgotten. Safe on every instance at once.
 */
@Component
class TurnRecovery {

    private static final Logger log = LoggerFactory.getLogger(TurnRecovery.class);

    private final Conversations conversations;
    private final AsyncJobs jobs;
    private final TransactionTemplate tx;

    TurnRecovery(Conversations conversations, AsyncJobs jobs, PlatformTransactionManager transactions) {
        this.conversations = conversations;
        this.jobs = jobs;
        this.tx = new TransactionTemplate(transactions);
    }

    @Scheduled(fixedDelayString = "${colloquy.chat.recovery-interval:2s}")
    void recover() {
        try {
            int recovered;
            do {
                recovered = tx.execute(s -> {
                    var abandoned = conversations.releaseAbandonedTurns(50);
                    for (var turn : abandoned) {
                        try (var logContext = LogContext.of(turn.tenantId(), turn.conversationId())) {
                            if (turn.customerSeq() != null
                                    && jobs.queueUnanswered(turn.tenantId(), turn.conversationId(), turn.customerSeq())) {
                                log.warn("TURN_RECOVERED conversation={} customerSeq={}: the turn was cut off; its "
                                        + "message is queued to be answered", turn.conversationId(), turn.customerSeq());
                            }
                        }
                    }
                    return abandoned.size();
                });
            } while (recovered == 50);
        } catch (RuntimeException e) {
            log.warn("Turn recovery round failed: {}", e.toString());
        }
    }
}
