package io.colloquy.memory;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface MemoryRepository extends JpaRepository<MemoryEntity, MemoryEntity.Key> {

    @Query("select m from MemoryEntity m where m.conversationId = :conversationId and m.tenantId = :tenantId")
    Optional<MemoryEntity> find(UUID tenantId, UUID conversationId);
}
