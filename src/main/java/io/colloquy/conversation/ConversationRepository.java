package io.colloquy.conversation;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface ConversationRepository extends JpaRepository<ConversationEntity, ConversationEntity.Key> {

    @Query("select c from ConversationEntity c where c.id = :id and c.tenantId = :tenantId")
    Optional<ConversationEntity> find(UUID tenantId, UUID id);
}
