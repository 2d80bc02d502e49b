package io.colloquy.chat;

import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import io.colloquy.tenant.RequiresRole;
import io.colloquy.tenant.Role;
import io.colloquy.tenant.TenantPrincipal;

/** The state of an async turn and, once done, its reply. */
@Tag(name = "Conversations")
@RestController
class JobController {

    private final AsyncTurns turns;

    JobController(AsyncTurns turns) {
        this.turns = turns;
    }

    @Operation(summary = "Read an async turn's job and, once done, its reply")
    @GetMapping("/api/v1/jobs/{jobId}")
    @RequiresRole(Role.CHAT)
    JobView job(@PathVariable UUID jobId, TenantPrincipal caller) {
        return turns.view(caller.requireTenant(), jobId);
    }
}
