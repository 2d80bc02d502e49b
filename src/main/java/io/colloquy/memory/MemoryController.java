package io.colloquy.memory;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import io.colloquy.privacy.Privacy;
import io.colloquy.shared.ConversationId;
import io.colloquy.tenant.RequiresRole;
import io.colloquy.tenant.Role;
import io.colloquy.tenant.TenantPrincipal;
import io.colloquy.tenant.Tenants;

/** The memory view: what the model currently remembers of a conversation, for agents and admins. */
@Tag(name = "Conversations")
@RestController
class MemoryController {

    private final SessionMemory memory;
    private final Tenants tenants;
    private final Privacy privacy;

    MemoryController(SessionMemory memory, Tenants tenants, Privacy privacy) {
        this.memory = memory;
        this.tenants = tenants;
        this.privacy = privacy;
    }

    @Operation(summary = "Read what the model remembers of a conversation",
            description = "Summary, pinned facts, intent and token counts, with the tenant's masking applied.")
    @GetMapping("/api/v1/conversations/{conversationId}/memory")
    @RequiresRole({Role.AGENT, Role.ADMIN})
    MemoryView memory(@PathVariable UUID conversationId, TenantPrincipal caller) {
        var tenantId = caller.requireTenant();
        return memory.view(tenantId, ConversationId.of(conversationId),
                tenants.settings(tenantId).contextTokenBudget()).masked(privacy.masker(tenantId));
    }
}
