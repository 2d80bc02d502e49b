package io.colloquy.memory;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface MemoryRepository extends JpaRepository<MemoryEntity, MemoryEntity.Key> {

    /**
     * A conversation's memory by its key: a primary-key load (served from the persistence context when the
     * transaction has it already), not a query, so no query is parsed and nothing is flushed before it.
     */
    default Optional<MemoryEntity> find(UUID tenantId, UUID conversationId) {
        return findById(new MemoryEntity.Key(tenantId, conversationId));
    }
}
