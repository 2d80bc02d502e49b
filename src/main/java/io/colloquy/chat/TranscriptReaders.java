package io.colloquy.chat;

import org.springframework.stereotype.Component;

import io.colloquy.conversation.Message;
import io.colloquy.conversation.MessageRole;
import io.colloquy.privacy.Masker;
import io.colloquy.privacy.Privacy;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.Role;
import io.colloquy.tenant.TenantPrincipal;

/**
 * How a caller reads a transcript, the same on every surface (the messages endpoint and the event
 * stream): the customer's own widget (a CHAT key without agent or admin roles) reads it as written,
 * without the support team's internal notes; every other reader reads it through the tenant's masking.
 */
@Component
class TranscriptReaders {

    private final Privacy privacy;

    TranscriptReaders(Privacy privacy) {
        this.privacy = privacy;
    }

    Reader of(TenantPrincipal caller, TenantId tenantId) {
        boolean widget = caller.has(Role.CHAT) && !caller.has(Role.AGENT) && !caller.has(Role.ADMIN);
        return new Reader(widget, privacy.maskerFor(tenantId, widget));
    }

    /**
     * @param widget whether the reader is the customer's widget
     */
    record Reader(boolean widget, Masker masker) {

        /** Internal notes ({@code SYSTEM} messages) are for agents and the model, never the customer. */
        boolean sees(Message m) {
            return !(widget && m.role() == MessageRole.SYSTEM);
        }

        TurnResponse.MessageBody body(Message m) {
            return TurnResponse.MessageBody.of(m, masker);
        }
    }
}
