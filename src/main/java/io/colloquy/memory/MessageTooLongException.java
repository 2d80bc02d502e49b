package io.colloquy.memory;

import java.util.Map;

import org.springframework.http.HttpStatus;

import io.colloquy.shared.ProblemException;

/**
 * A customer message longer than one prompt of the tenant's budget takes whole: refused before anything
 * is stored (413), with the limit, rather than cut silently on its way to the model.
 */
public class MessageTooLongException extends ProblemException {

    MessageTooLongException(int messageTokens, int limitTokens, int budget) {
        super(HttpStatus.CONTENT_TOO_LARGE, "message-too-long", "Message too long",
                "The message is " + messageTokens + " tokens; this conversation's messages may have at most "
                        + limitTokens + " tokens (about " + limitTokens * 3 + " characters of English text) so that "
                        + "the whole of it reaches the assistant. Send it in shorter parts.",
                Map.of("messageTokens", messageTokens, "maxMessageTokens", limitTokens, "contextTokenBudget", budget));
    }
}
