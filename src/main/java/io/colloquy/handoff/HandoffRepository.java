package io.colloquy.handoff;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.LockModeType;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface HandoffRepository extends JpaRepository<HandoffEntity, HandoffEntity.Key> {

    @Query("select h from HandoffEntity h where h.id = :id and h.tenantId = :tenantId")
    Optional<HandoffEntity> find(UUID tenantId, UUID id);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select h from HandoffEntity h where h.id = :id and h.tenantId = :tenantId")
    Optional<HandoffEntity> lock(UUID tenantId, UUID id);

    @Query("""
            select h from HandoffEntity h
            where h.tenantId = :tenantId and h.conversationId = :conversationId and h.status <> io.colloquy.handoff.HandoffStatus.RESOLVED""")
    Optional<HandoffEntity> findOpen(UUID tenantId, UUID conversationId);

    @Query("""
            select h from HandoffEntity h where h.tenantId = :tenantId and h.status = :status
            order by h.priority desc, h.createdAt asc""")
    List<HandoffEntity> queue(UUID tenantId, HandoffStatus status, Limit limit);

    /** The highest-priority, longest-waiting pending handoff no other agent is claiming right now. */
    @Query(value = """
            SELECT * FROM handoffs WHERE tenant_id = :tenantId AND status = 'PENDING'
            ORDER BY priority DESC, created_at ASC LIMIT 1 FOR UPDATE SKIP LOCKED""", nativeQuery = true)
    Optional<HandoffEntity> lockNextPending(UUID tenantId);

    @Query(value = """
            /* cross-tenant: handoff-lease-expiry */
            SELECT * FROM handoffs WHERE status = 'CLAIMED' AND lease_until < :now
            ORDER BY lease_until LIMIT :limit FOR UPDATE SKIP LOCKED""", nativeQuery = true)
    List<HandoffEntity> lockExpiredClaims(Instant now, int limit);

    interface QueueStats {
        UUID getTenantId();
        long getPending();
        Instant getOldest();
    }

    @Query(value = """
            /* cross-tenant: handoff-queue-meters */
            SELECT tenant_id AS tenantId, count(*) AS pending, min(created_at) AS oldest
            FROM handoffs WHERE status = 'PENDING' GROUP BY tenant_id""", nativeQuery = true)
    List<QueueStats> queueStats();
}
