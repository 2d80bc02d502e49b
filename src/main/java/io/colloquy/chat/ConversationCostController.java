package io.colloquy.chat;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.colloquy.conversation.Conversations;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.RequiresRole;
import io.colloquy.tenant.Role;
import io.colloquy.tenant.TenantPrincipal;
import io.colloquy.usage.CostReport;
import io.colloquy.usage.CostReports;

/** One conversation's model calls and their cost, for finance. */
@Tag(name = "Costs")
@RestController
class ConversationCostController {

    private final Conversations conversations;
    private final CostReports reports;

    ConversationCostController(Conversations conversations, CostReports reports) {
        this.conversations = conversations;
        this.reports = reports;
    }

    /** A platform finance key names the tenant ({@code tenantId}); a tenant's key reads its own. */
    @Operation(summary = "List one conversation's model calls and their cost",
            description = "A platform key names the tenant with `tenantId`; a tenant's key reads its own.")
    @GetMapping("/api/v1/conversations/{conversationId}/costs")
    @RequiresRole(Role.FINANCE)
    CostReport.ConversationCosts costs(@PathVariable UUID conversationId,
                                       @RequestParam(required = false) UUID tenantId, TenantPrincipal caller) {
        TenantId tenant = caller.isPlatform() ? requireTenantParam(tenantId) : caller.requireTenant();
        ConversationId id = ConversationId.of(conversationId);
        conversations.get(tenant, id);
        return reports.conversation(tenant, id);
    }

    private static TenantId requireTenantParam(UUID tenantId) {
        if (tenantId == null) {
            throw new InvalidRequestException("A platform key names the conversation's tenant with ?tenantId=");
        }
        return TenantId.of(tenantId);
    }
}
