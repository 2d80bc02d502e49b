package io.colloquy.tenant;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface ApiKeyRepository extends JpaRepository<ApiKey, UUID> {

    Optional<ApiKey> findByKeyHash(byte[] keyHash);

    List<ApiKey> findByTenantIdOrderByCreatedAt(UUID tenantId);

    List<ApiKey> findByTenantIdIsNullOrderByCreatedAt();
}
