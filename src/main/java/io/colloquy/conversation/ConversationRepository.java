package io.colloquy.conversation;

import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.LockModeType;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface ConversationRepository extends JpaRepository<ConversationEntity, UUID> {

    @Query("select c from ConversationEntity c where c.id = :id and c.tenantId = :tenantId")
    Optional<ConversationEntity> find(UUID tenantId, UUID id);

    /** Serialises writers of one conversation (sequence numbers, state changes). */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select c from ConversationEntity c where c.id = :id and c.tenantId = :tenantId")
    Optional<ConversationEntity> lock(UUID tenantId, UUID id);
}
