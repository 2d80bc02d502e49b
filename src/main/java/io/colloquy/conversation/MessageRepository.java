package io.colloquy.conversation;

import java.util.List;
import java.util.UUID;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface MessageRepository extends JpaRepository<MessageEntity, MessageEntity.Key> {

    @Query("""
            select m from MessageEntity m
            where m.tenantId = :tenantId and m.conversationId = :conversationId and m.seq > :after
            order by m.seq""")
    List<MessageEntity> after(UUID tenantId, UUID conversationId, int after, Limit limit);

    @Query("""
            select m from MessageEntity m
            where m.tenantId = :tenantId and m.conversationId = :conversationId and m.seq > :after and m.seq <= :through
            order by m.seq""")
    List<MessageEntity> between(UUID tenantId, UUID conversationId, int after, int through);

    @Query("""
            select m from MessageEntity m
            where m.tenantId = :tenantId and m.conversationId = :conversationId and m.role = :role
            order by m.seq desc""")
    List<MessageEntity> latestOfRole(UUID tenantId, UUID conversationId, MessageRole role, Limit limit);

    @Query("""
            select m from MessageEntity m
            where m.tenantId = :tenantId and m.conversationId = :conversationId and m.seq = :seq""")
    java.util.Optional<MessageEntity> one(UUID tenantId, UUID conversationId, int seq);

    @Query("""
            select m from MessageEntity m
            where m.tenantId = :tenantId and m.conversationId = :conversationId
            and m.role = io.colloquy.conversation.MessageRole.ASSISTANT and m.inReplyTo = :customerSeq""")
    java.util.Optional<MessageEntity> replyTo(UUID tenantId, UUID conversationId, int customerSeq);
}
