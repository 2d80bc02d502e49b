package io.colloquy.shared;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;

import org.slf4j.MDC;

/**
 * Who a log line is about: the tenant and, where known, the conversation, kept in the MDC under
 * {@code tenant} and {@code conversation} (ids only: never message content or keys), so they appear in
 * the text pattern and as fields of JSON log lines. One mechanism on every thread:
 * <ul>
 * <li>a thread that starts work for a tenant (a job, a webhook delivery, a recovered turn) opens a
 * context with try-with-resources: {@code try (var log = LogContext.of(tenant, conversation)) {...}};
 * closing it restores what the thread had before;</li>
 * <li>work handed to another thread (a streamed turn, a model attempt under its time limit) runs on an
 * executor wrapped by {@link #propagating(ExecutorService)}, which carries the submitter's ids and its
 * current observation (so the trace and span ids too) with Micrometer's context propagation.</li>
 * </ul>
 */
public final class LogContext implements AutoCloseable {

    public static final String TENANT = "tenant";
    public static final String CONVERSATION = "conversation";

    static {
        // the two MDC keys travel with context snapshots, beside the observation (registered by Micrometer itself)
        ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor(TENANT, CONVERSATION));
    }

    private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

    private final String previousTenant;
    private final String previousConversation;

    private LogContext(String tenant, String conversation) {
        this.previousTenant = MDC.get(TENANT);
        this.previousConversation = MDC.get(CONVERSATION);
        put(TENANT, tenant);
        put(CONVERSATION, conversation);
    }

    /** Puts the ids (either may be null: a platform-wide task, a tenant-wide one) until {@link #close()}. */
    public static LogContext of(TenantId tenantId, ConversationId conversationId) {
        return new LogContext(tenantId == null ? null : tenantId.toString(),
                conversationId == null ? null : conversationId.toString());
    }

    /** Wraps {@code executor} so each task runs with the ids and the observation of the thread that submitted it. */
    public static ExecutorService propagating(ExecutorService executor) {
        return ContextExecutorService.wrap(executor, SNAPSHOTS::captureAll);
    }

    /** {@code task} bound to the current thread's ids and observation, to run on another thread. */
    public static Runnable wrap(Runnable task) {
        return SNAPSHOTS.captureAll().wrap(task);
    }

    /** {@code task} bound to the current thread's ids and observation, to run on another thread. */
    public static <T> Callable<T> wrap(Callable<T> task) {
        return SNAPSHOTS.captureAll().wrap(task);
    }

    @Override
    public void close() {
        put(TENANT, previousTenant);
        put(CONVERSATION, previousConversation);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
