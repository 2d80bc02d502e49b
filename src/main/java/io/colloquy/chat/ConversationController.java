package io.colloquy.chat;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.colloquy.conversation.ConversationStatus;
import io.colloquy.conversation.ConversationView;
import io.colloquy.conversation.Conversations;
import io.colloquy.events.EventStreamResponses;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.RequiresRole;
import io.colloquy.tenant.Role;
import io.colloquy.tenant.TenantPrincipal;
import tools.jackson.databind.json.JsonMapper;

/** The widget API: start conversations, send turns, read the transcript (where agent replies arrive). */
@Tag(name = "Conversations", description = "The widget API: conversations, turns, the transcript and live events")
@RestController
@RequestMapping("/api/v1/conversations")
class ConversationController {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConversationController.class);

    // the JSON and the streamed handler of a turn describe one operation
    static final String TURN_DESCRIPTION = "JSON by default. With `Accept: text/event-stream` the same turn is "
            + "answered as Server-Sent Events while the model writes: accepted, delta (repeated), handoff, completed "
            + "(the JSON turn), error. An optional Idempotency-Key makes a retry safe.";

    private final ChatService chat;
    private final StreamedTurns streamedTurns;
    private final ConversationEventStreams eventStreams;
    private final AsyncTurns asyncTurns;
    private final Conversations conversations;
    private final ChatProperties properties;
    private final JsonMapper json;
    private final TranscriptReaders readers;

    ConversationController(ChatService chat, StreamedTurns streamedTurns, ConversationEventStreams eventStreams,
                           AsyncTurns asyncTurns, Conversations conversations, ChatProperties properties,
                           JsonMapper json, TranscriptReaders readers) {
        this.chat = chat;
        this.streamedTurns = streamedTurns;
        this.eventStreams = eventStreams;
        this.asyncTurns = asyncTurns;
        this.conversations = conversations;
        this.properties = properties;
        this.json = json;
        this.readers = readers;
    }

    record StartConversation(@Size(max = 200) String externalUserRef, Map<String, Object> metadata) {
    }

    record SendMessage(@NotNull String content) {
    }

    record ConversationBody(UUID id, ConversationStatus status, String externalUserRef, Map<String, Object> metadata,
                            int lastSeq, Instant createdAt, Instant updatedAt) {
        static ConversationBody of(ConversationView c) {
            return new ConversationBody(c.id().value(), c.status(), c.externalUserRef(), c.metadata(), c.lastSeq(),
                    c.createdAt(), c.updatedAt());
        }
    }

    record MessagesBody(UUID conversationId, ConversationStatus status, List<TurnResponse.MessageBody> messages) {
    }

    @Operation(summary = "Start a conversation",
            responses = @ApiResponse(responseCode = "201", description = "The conversation, with its id"))
    @PostMapping
    @RequiresRole(Role.CHAT)
    ResponseEntity<ConversationBody> start(@Valid @RequestBody(required = false) StartConversation body,
                                           TenantPrincipal caller) {
        Map<String, Object> metadata = body == null || body.metadata() == null ? Map.of() : body.metadata();
        String metadataJson = json.writeValueAsString(metadata);
        if (metadataJson.length() > properties.maxMetadataChars()) {
            throw new InvalidRequestException("metadata is larger than " + properties.maxMetadataChars() + " characters");
        }
        if (metadataJson.contains("\\u0000") || (body != null && body.externalUserRef() != null
                && body.externalUserRef().indexOf('\u0000') >= 0)) {
            throw new InvalidRequestException("metadata and externalUserRef must not contain NUL characters");
        }
        ConversationView view = chat.start(caller.requireTenant(), body == null ? null : body.externalUserRef(), metadata);
        return ResponseEntity.created(URI.create("/api/v1/conversations/" + view.id())).body(ConversationBody.of(view));
    }

    @Operation(summary = "Read a conversation's status")
    @GetMapping("/{conversationId}")
    @RequiresRole({Role.CHAT, Role.AGENT, Role.ADMIN})
    ConversationBody get(@PathVariable UUID conversationId, TenantPrincipal caller) {
        return ConversationBody.of(conversations.get(caller.requireTenant(), ConversationId.of(conversationId)));
    }

    @Operation(summary = "Send a customer turn and get the reply",
            description = TURN_DESCRIPTION)
    @PostMapping(path = "/{conversationId}/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @RequiresRole(Role.CHAT)
    TurnResponse send(@PathVariable UUID conversationId, @RequestBody SendMessage body,
                      @RequestHeader(name = "Idempotency-Key", required = false) @Size(min = 1, max = 200) String key,
                      TenantPrincipal caller) {
        return chat.send(caller.requireTenant(), ConversationId.of(conversationId), body.content(), key);
    }

    /** The same turn, answered as Server-Sent Events while the model writes ({@code Accept: text/event-stream}). */
    @Operation(summary = "Send a customer turn and get the reply",
            description = TURN_DESCRIPTION)
    @PostMapping(path = "/{conversationId}/messages", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @RequiresRole(Role.CHAT)
    ResponseEntity<SseEmitter> sendStreamed(@PathVariable UUID conversationId, @RequestBody SendMessage body,
                      @RequestHeader(name = "Idempotency-Key", required = false) @Size(min = 1, max = 200) String key,
                      TenantPrincipal caller) {
        var stream = streamedTurns.start(caller.requireTenant(), ConversationId.of(conversationId), body.content(), key);
        return EventStreamResponses.of(stream);
    }

    /**
     * The conversation's live events (messages and status changes) as Server-Sent Events; with
     * {@code Last-Event-ID} (or {@code ?after=}) the ones after it first.
     */
    @Operation(summary = "Follow a conversation's events (Server-Sent Events)",
            description = "Every new message and status change, each with its event number as the SSE id; with "
                + "Last-Event-ID (or after) the ones after it first.")
    @GetMapping(path = "/{conversationId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @RequiresRole({Role.CHAT, Role.AGENT, Role.ADMIN})
    ResponseEntity<SseEmitter> events(@PathVariable UUID conversationId,
                                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                                      @RequestParam(required = false) @Min(0) Long after,
                                      TenantPrincipal caller) {
        Long from = after;
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                from = Long.parseLong(lastEventId.strip());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException("Last-Event-ID must be an event id this stream sent");
            }
        }
        return EventStreamResponses.of(eventStreams.open(caller, ConversationId.of(conversationId), from));
    }

    /** Queues the turn: 202 with the job; its reply arrives in the transcript and on {@code GET /jobs/{id}}. */
    @Operation(summary = "Queue a customer turn",
            description = "The reply arrives in the transcript, on GET /jobs/{jobId} and on the tenant's webhook.",
            responses = @ApiResponse(responseCode = "202", description = "The job, QUEUED; Location names it"))
    @PostMapping("/{conversationId}/messages:async")
    @RequiresRole(Role.CHAT)
    ResponseEntity<JobView> sendAsync(@PathVariable UUID conversationId, @RequestBody SendMessage body,
                                      @RequestHeader(name = "Idempotency-Key", required = false) @Size(min = 1, max = 200) String key,
                                      TenantPrincipal caller) {
        chat.validate(body.content());
        JobView job = asyncTurns.enqueue(caller.requireTenant(), ConversationId.of(conversationId), body.content(), key);
        return ResponseEntity.accepted().location(URI.create("/api/v1/jobs/" + job.id())).body(job);
    }

    @Operation(summary = "Read the transcript",
            description = "Messages after `after` (a sequence number), oldest first; agent replies arrive here too. "
                + "A widget's key reads the conversation as written, without the support team's internal notes; "
                + "agent and admin keys read it with the tenant's masking applied.")
    @GetMapping("/{conversationId}/messages")
    @RequiresRole({Role.CHAT, Role.AGENT, Role.ADMIN})
    MessagesBody messages(@PathVariable UUID conversationId,
                          @RequestParam(defaultValue = "0") @Min(0) int after,
                          @RequestParam(defaultValue = "100") @Min(1) @Max(500) int limit,
                          TenantPrincipal caller) {
        var tenantId = caller.requireTenant();
        var id = ConversationId.of(conversationId);
        var reader = readers.of(caller, tenantId);
        var messages = conversations.messagesAfter(tenantId, id, after, limit).stream()
                .filter(reader::sees).map(reader::body).toList();
        return new MessagesBody(conversationId, conversations.get(tenantId, id).status(), messages);
    }

    @Operation(summary = "Erase a conversation",
            description = "Removes the transcript, memory, handoffs, jobs, idempotency records and events; the "
                + "usage ledger keeps its cost rows (no text), so finance totals do not change. Afterwards the "
                + "conversation answers 404.",
            responses = @ApiResponse(responseCode = "204", description = "Erased"))
    @DeleteMapping("/{conversationId}")
    @RequiresRole(Role.ADMIN)
    ResponseEntity<Void> erase(@PathVariable UUID conversationId, TenantPrincipal caller) {
        TenantId tenantId = caller.requireTenant();
        if (!conversations.erase(tenantId, ConversationId.of(conversationId))) {
            throw new NotFoundException("Conversation", conversationId);
        }
        log.info("CONVERSATION_ERASED tenant={} conversation={} by={}", tenantId, conversationId, caller.keyId());
        return ResponseEntity.noContent().build();
    }

    record Erased(String externalUserRef, int count, List<UUID> conversationIds) {
    }

    @Operation(summary = "Erase every conversation of one customer",
            description = "Every conversation started with this externalUserRef, erased as DELETE /{id} does.")
    @DeleteMapping
    @RequiresRole(Role.ADMIN)
    Erased eraseCustomer(@RequestParam @Size(min = 1, max = 200) String externalUserRef, TenantPrincipal caller) {
        TenantId tenantId = caller.requireTenant();
        List<UUID> ids = conversations.eraseCustomer(tenantId, externalUserRef).stream()
                .map(ConversationId::value).toList();
        log.info("CUSTOMER_ERASED tenant={} conversations={} by={}", tenantId, ids.size(), caller.keyId());
        return new Erased(externalUserRef, ids.size(), ids);
    }
}
