package io.colloquy.handoff;

import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.colloquy.conversation.Message;
import io.colloquy.events.EventStreamResponses;
import io.colloquy.tenant.RequiresRole;
import io.colloquy.tenant.Role;
import io.colloquy.tenant.TenantPrincipal;

/** The agent queue: list, claim (exactly once), read the package, reply, release, resolve. */
@Tag(name = "Handoffs", description = "The agent queue: claim exactly once, read the package, reply, release, resolve")
@RestController
@RequestMapping("/api/v1/handoffs")
@RequiresRole(Role.AGENT)
class HandoffController {

    private final Handoffs handoffs;
    private final HandoffEventStreams eventStreams;

    HandoffController(Handoffs handoffs, HandoffEventStreams eventStreams) {
        this.handoffs = handoffs;
        this.eventStreams = eventStreams;
    }

    record Claim(@Size(max = 100) String agentName) {
    }

    record Reply(@NotBlank @Size(max = 8000) @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL characters")
                 String content) {
    }

    record Resolve(boolean returnToBot,
                   @Size(max = 4000) @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL characters") String note) {
    }

    record QueueBody(List<HandoffView> handoffs) {
    }

    record MessageBody(int seq, String role, String content, java.time.Instant createdAt, String author) {
        static MessageBody of(Message m) {
            return new MessageBody(m.seq(), m.role().name(), m.content(), m.createdAt(), m.author());
        }
    }

    @Operation(summary = "List the tenant's handoffs",
            description = "Most urgent and longest waiting first; the package is left out (read one handoff for it).")
    @GetMapping
    QueueBody queue(@RequestParam(defaultValue = "PENDING") HandoffStatus status,
                    @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit, TenantPrincipal agent) {
        return new QueueBody(handoffs.queue(agent.requireTenant(), status, limit));
    }

    /** The queue's live events as Server-Sent Events (see {@link HandoffEventStreams}). */
    @Operation(summary = "Follow the queue's events (Server-Sent Events)",
            description = "opened, claimed, released, resolved, lease-expired, customer-message; not replayed on "
                + "reconnection.")
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    ResponseEntity<SseEmitter> events(TenantPrincipal agent) {
        return EventStreamResponses.of(eventStreams.open(agent));
    }

    /** The most urgent pending handoff, claimed for the caller; 204 when the queue is empty. */
    @Operation(summary = "Claim the most urgent pending handoff", responses = {
            @ApiResponse(responseCode = "200", description = "The handoff, claimed for the caller, with its package"),
            @ApiResponse(responseCode = "204", description = "Nobody is waiting", content = @Content)})
    @PostMapping("/claim-next")
    ResponseEntity<HandoffView> claimNext(@Valid @RequestBody(required = false) Claim body, TenantPrincipal agent) {
        return handoffs.claimNext(agent.requireTenant(), agent.keyId(), agentName(body, agent))
                .map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.noContent().build());
    }

    @Operation(summary = "Claim a handoff",
            description = "Exactly one claimant wins; the others get 409 handoff-already-claimed.")
    @PostMapping("/{handoffId}/claim")
    HandoffView claim(@PathVariable UUID handoffId, @Valid @RequestBody(required = false) Claim body,
                      TenantPrincipal agent) {
        return handoffs.claim(agent.requireTenant(), handoffId, agent.keyId(), agentName(body, agent));
    }

    @Operation(summary = "Read a handoff with its package",
            description = "Reading does not claim: an agent can look before claiming.")
    @GetMapping("/{handoffId}")
    HandoffView get(@PathVariable UUID handoffId, TenantPrincipal agent) {
        return handoffs.get(agent.requireTenant(), handoffId);
    }

    /** The agent's reply to the customer; it lands in the conversation's transcript. */
    @Operation(summary = "Reply to the customer",
            description = "The reply lands in the transcript; acting renews the claim.")
    @PostMapping("/{handoffId}/messages")
    MessageBody reply(@PathVariable UUID handoffId, @Valid @RequestBody Reply body, TenantPrincipal agent) {
        return MessageBody.of(handoffs.reply(agent.requireTenant(), handoffId, agent.keyId(), body.content()));
    }

    @Operation(summary = "Give a claimed handoff back to the queue")
    @PostMapping("/{handoffId}/release")
    HandoffView release(@PathVariable UUID handoffId, TenantPrincipal agent) {
        return handoffs.release(agent.requireTenant(), handoffId, agent.keyId());
    }

    @Operation(summary = "Resolve a handoff",
            description = "With returnToBot the assistant takes the conversation back (and reads the note); without "
                + "it the conversation is closed.")
    @PostMapping("/{handoffId}/resolve")
    HandoffView resolve(@PathVariable UUID handoffId, @Valid @RequestBody(required = false) Resolve body,
                        TenantPrincipal agent) {
        boolean returnToBot = body != null && body.returnToBot();
        return handoffs.resolve(agent.requireTenant(), handoffId, agent.keyId(), returnToBot,
                body == null ? null : body.note());
    }

    private static String agentName(Claim body, TenantPrincipal agent) {
        return body != null && body.agentName() != null && !body.agentName().isBlank() ? body.agentName().strip()
                : agent.label();
    }
}
