package io.colloquy.chat;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.colloquy.conversation.Conversations;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.Ids;
import io.colloquy.shared.TenantId;

/**
 * The async turn queue in PostgreSQL. Workers in any number of instances take due jobs with
 * {@code FOR UPDATE SKIP LOCKED}; a taken job carries a lease token, and every later write checks it,
 * so a worker that lost its lease (it stalled, or its instance died) cannot complete the job twice.
 */
@Repository
class AsyncJobs {

    enum Status { QUEUED, RUNNING, DONE, DEAD }

    record Job(UUID id, TenantId tenantId, ConversationId conversationId, int customerSeq, Status status, int attempts,
               UUID leaseToken, String lastError, Integer replySeq, UUID handoffId, String webhookState,
               Instant createdAt, Instant updatedAt) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final Conversations conversations;

    AsyncJobs(JdbcClient jdbc, Clock clock, Conversations conversations) {
        this.conversations = conversations;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    UUID insertQueued(TenantId tenantId, ConversationId conversationId, int customerSeq) {
        return insert(tenantId, conversationId, customerSeq, Status.QUEUED, null, null, null);
    }

    /**
     * Queues the customer message of a turn that was cut off, unless it was answered after all or a job for
     * it exists already (an async turn that died is its own job). True when a job was queued.
     */
    boolean queueUnanswered(TenantId tenantId, ConversationId conversationId, int customerSeq) {
        if (conversations.replyTo(tenantId, conversationId, customerSeq).isPresent()) {
            return false;
        }
        Timestamp now = Timestamp.from(clock.instant());
        return jdbc.sql("""
                        INSERT INTO async_jobs (id, tenant_id, conversation_id, customer_seq, status, next_run_at,
                            created_at, updated_at)
                        VALUES (:id, :tenant, :conversation, :seq, 'QUEUED', :now, :now, :now)
                        ON CONFLICT (tenant_id, conversation_id, customer_seq) DO NOTHING""")
                .param("id", Ids.newId()).param("tenant", tenantId.value()).param("conversation", conversationId.value())
                .param("seq", customerSeq).param("now", now)
                .update() == 1;
    }

    /** A job decided at once (a person owns the conversation, or a trigger fired before the model). */
    UUID insertDone(TenantId tenantId, ConversationId conversationId, int customerSeq, Integer replySeq,
                    UUID handoffId, boolean webhook) {
        return insert(tenantId, conversationId, customerSeq, Status.DONE, replySeq, handoffId,
                webhook ? "PENDING" : null);
    }

    private UUID insert(TenantId tenantId, ConversationId conversationId, int customerSeq, Status status,
                        Integer replySeq, UUID handoffId, String webhookState) {
        UUID id = Ids.newId();
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("""
                        INSERT INTO async_jobs (id, tenant_id, conversation_id, customer_seq, status, next_run_at,
                            reply_seq, handoff_id, webhook_state, created_at, updated_at)
                        VALUES (:id, :tenant, :conversation, :seq, :status, :now, :reply, :handoff, :webhook, :now, :now)""")
                .param("id", id).param("tenant", tenantId.value()).param("conversation", conversationId.value())
                .param("seq", customerSeq).param("status", status.name()).param("now", now)
                .param("reply", replySeq).param("handoff", handoffId).param("webhook", webhookState)
                .update();
        return id;
    }

    Optional<Job> find(TenantId tenantId, UUID id) {
        return jdbc.sql("SELECT * FROM async_jobs WHERE tenant_id = :tenant AND id = :id")
                .param("id", id).param("tenant", tenantId.value()).query(AsyncJobs::map).optional();
    }

    /**
     * Takes up to {@code limit} due jobs, fairly between tenants: the tenants with due work are served
     * fewest-running first (then longest-waiting), each at most up to {@code maxRunningPerTenant} running
     * jobs across all instances, so one tenant's backlog cannot starve another's job. Due means queued
     * and its time has come, or running with its lease run out (its worker died). Each taken job gets a
     * fresh lease token and one more attempt on the count. Per tenant the jobs are taken with a statement
     * scoped to that tenant ({@code FOR UPDATE SKIP LOCKED}), which is also the shape a distributed
     * database needs: only the choice of tenants scans across them.
     */
    List<Job> take(int limit, String worker, Duration lease, int maxRunningPerTenant) {
        Timestamp now = Timestamp.from(clock.instant());
        List<Object[]> tenants = jdbc.sql("""
                        /* cross-tenant: job-queue */
                        SELECT d.tenant_id, coalesce(r.running, 0) AS running FROM
                            (SELECT tenant_id, min(next_run_at) AS oldest FROM async_jobs
                             WHERE (status = 'QUEUED' AND next_run_at <= :now) OR (status = 'RUNNING' AND lease_until < :now)
                             GROUP BY tenant_id) d
                        LEFT JOIN (SELECT tenant_id, count(*) AS running FROM async_jobs
                                   WHERE status = 'RUNNING' AND lease_until >= :now GROUP BY tenant_id) r
                            ON r.tenant_id = d.tenant_id
                        WHERE coalesce(r.running, 0) < :cap
                        ORDER BY running, d.oldest LIMIT :limit""")
                .param("now", now).param("cap", maxRunningPerTenant).param("limit", Math.max(limit, 1))
                .query((rs, n) -> new Object[] {rs.getObject("tenant_id", UUID.class), rs.getLong("running")})
                .list();
        List<Job> taken = new ArrayList<>();

        int share = tenants.isEmpty() ? 0 : (limit + tenants.size() - 1) / tenants.size();
        for (Object[] t : tenants) {
            int n = (int) Math.min(Math.min(share, limit - taken.size()), maxRunningPerTenant - (Long) t[1]);
            if (n <= 0) {
                continue;
            }
            taken.addAll(jdbc.sql("""
                            UPDATE async_jobs j SET status = 'RUNNING', lease_token = gen_random_uuid(),
                                lease_until = :leaseUntil, locked_by = :worker, attempts = j.attempts + 1, updated_at = :now,
                                started_at = :now
                            WHERE j.tenant_id = :tenant AND j.id IN (
                                SELECT id FROM async_jobs
                                WHERE tenant_id = :tenant AND ((status = 'QUEUED' AND next_run_at <= :now)
                                    OR (status = 'RUNNING' AND lease_until < :now))
                                ORDER BY next_run_at
                                LIMIT :n
                                FOR UPDATE SKIP LOCKED)
                            RETURNING j.*""")
                    .param("tenant", t[0]).param("now", now).param("leaseUntil", Timestamp.from(now.toInstant().plus(lease)))
                    .param("worker", worker).param("n", n)
                    .query(AsyncJobs::map).list());
        }
        return taken;
    }

    /** True while {@code job} still holds its lease; locks the row for the rest of the transaction. */
    boolean holdsLease(Job job) {
        return jdbc.sql("""
                        SELECT 1 FROM async_jobs
                        WHERE tenant_id = :tenant AND id = :id AND lease_token = :token AND status = 'RUNNING'
                        FOR UPDATE""")
                .param("tenant", job.tenantId().value()).param("id", job.id()).param("token", job.leaseToken()).query().optionalValue().isPresent();
    }

    void complete(Job job, Integer replySeq, UUID handoffId, boolean webhook) {
        finish(job, Status.DONE, replySeq, handoffId, null, webhook);
    }

    void dead(Job job, String error, UUID handoffId, boolean webhook) {
        finish(job, Status.DEAD, null, handoffId, error, webhook);
    }

    private void finish(Job job, Status status, Integer replySeq, UUID handoffId, String error, boolean webhook) {
        int updated = jdbc.sql("""
                        UPDATE async_jobs SET status = :status, reply_seq = :reply, handoff_id = :handoff,
                            last_error = coalesce(:error, last_error), lease_token = NULL, lease_until = NULL,
                            webhook_state = :webhook, updated_at = :now
                        WHERE tenant_id = :tenant AND id = :id AND lease_token = :token""")
                .param("tenant", job.tenantId().value())
                .param("status", status.name()).param("reply", replySeq).param("handoff", handoffId)
                .param("error", error).param("webhook", webhook ? "PENDING" : null)
                .param("now", Timestamp.from(clock.instant()))
                .param("id", job.id()).param("token", job.leaseToken())
                .update();
        requireUpdated(updated, job);
    }

    /**
     * Back to the queue for a later try. {@code spent=false} (the circuit was open, the model was busy,
     * the conversation was mid-turn) gives the attempt back: waiting out an outage costs no attempts.
     */
    void retryLater(Job job, Duration delay, boolean spent, String error) {
        Instant now = clock.instant();
        int updated = jdbc.sql("""
                        UPDATE async_jobs SET status = 'QUEUED', next_run_at = :next, lease_token = NULL,
                            lease_until = NULL, attempts = attempts - :refund, last_error = coalesce(:error, last_error),
                            updated_at = :now
                        WHERE tenant_id = :tenant AND id = :id AND lease_token = :token""")
                .param("tenant", job.tenantId().value())
                .param("next", Timestamp.from(now.plus(delay))).param("refund", spent ? 0 : 1).param("error", error)
                .param("now", Timestamp.from(now)).param("id", job.id()).param("token", job.leaseToken())
                .update();
        requireUpdated(updated, job);
    }

    record QueueStats(long queued, long running, Instant oldestQueued) {
    }

    QueueStats stats() {
        return jdbc.sql("""
                        /* cross-tenant: job-queue-meters */
                        SELECT count(*) FILTER (WHERE status = 'QUEUED') AS queued,
                               count(*) FILTER (WHERE status = 'RUNNING') AS running,
                               min(created_at) FILTER (WHERE status = 'QUEUED') AS oldest
                        FROM async_jobs WHERE status IN ('QUEUED', 'RUNNING')""")
                .query((rs, n) -> new QueueStats(rs.getLong("queued"), rs.getLong("running"),
                        rs.getTimestamp("oldest") == null ? null : rs.getTimestamp("oldest").toInstant()))
                .single();
    }

    // ---- webhooks

    /** Takes due webhook deliveries (exponential back-off by attempts), locking them for this transaction. */
    List<Job> dueWebhooks(int limit, int perTenant) {
        // at most perTenant of each tenant, so one tenant's pile of deliveries cannot fill the batch
        return jdbc.sql("""
                        /* cross-tenant: webhook-queue */
                        SELECT * FROM async_jobs WHERE (tenant_id, id) IN (
                            SELECT tenant_id, id FROM (
                                SELECT tenant_id, id, updated_at,
                                       row_number() OVER (PARTITION BY tenant_id ORDER BY updated_at) AS place
                                FROM async_jobs
                                WHERE webhook_state = 'PENDING'
                                  AND updated_at + (interval '1 second' * (power(2, webhook_attempts) - 1)) <= :now) due
                            WHERE place <= :perTenant ORDER BY updated_at LIMIT :limit)
                        AND webhook_state = 'PENDING'
                        ORDER BY updated_at FOR UPDATE SKIP LOCKED""")
                .param("now", Timestamp.from(clock.instant())).param("limit", limit).param("perTenant", perTenant)
                .query(AsyncJobs::map).list();
    }

    /**
     * Counts a delivery attempt before it is made. Its time is set past the delivery's own time limit,
     * so no other instance takes the same delivery while this one is still sending it.
     */
    void webhookAttempted(Job job, Duration deliveryTimeLimit) {
        jdbc.sql("""
                        UPDATE async_jobs SET webhook_attempts = webhook_attempts + 1, updated_at = :later
                        WHERE tenant_id = :tenant AND id = :id""")
                .param("later", Timestamp.from(clock.instant().plus(deliveryTimeLimit)))
                .param("tenant", job.tenantId().value()).param("id", job.id()).update();
    }

    void webhookSettled(Job job, boolean delivered) {
        jdbc.sql("""
                        UPDATE async_jobs SET webhook_state = :state
                        WHERE tenant_id = :tenant AND id = :id AND webhook_state = 'PENDING'""")
                .param("state", delivered ? "DELIVERED" : "FAILED")
                .param("tenant", job.tenantId().value()).param("id", job.id()).update();
    }

    int webhookAttempts(Job job) {
        return jdbc.sql("SELECT webhook_attempts FROM async_jobs WHERE tenant_id = :tenant AND id = :id")
                .param("tenant", job.tenantId().value()).param("id", job.id())
                .query(Integer.class).single();
    }

    private static void requireUpdated(int updated, Job job) {
        if (updated != 1) {
            throw new LeaseLostException(job.id());
        }
    }

    /** Another worker took the job over (this one stalled past its lease): this worker's result is dropped. */
    static class LeaseLostException extends RuntimeException {
        LeaseLostException(UUID jobId) {
            super("lost the lease on job " + jobId, null, false, false);
        }
    }

    private static Job map(ResultSet rs, int row) throws SQLException {
        int reply = rs.getInt("reply_seq");
        Integer replySeq = rs.wasNull() ? null : reply;
        return new Job(rs.getObject("id", UUID.class), TenantId.of(rs.getObject("tenant_id", UUID.class)),
                ConversationId.of(rs.getObject("conversation_id", UUID.class)), rs.getInt("customer_seq"),
                Status.valueOf(rs.getString("status")), rs.getInt("attempts"), rs.getObject("lease_token", UUID.class),
                rs.getString("last_error"), replySeq, rs.getObject("handoff_id", UUID.class),
                rs.getString("webhook_state"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
