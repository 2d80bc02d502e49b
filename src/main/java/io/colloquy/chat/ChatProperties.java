package io.colloquy.chat;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.chat.*}: the widget API's limits and the customer-facing texts of a handoff.
 *
 * @param maxMessageChars    longest customer message accepted (longer: 413)
 * @param maxMetadataChars   largest conversation metadata accepted, as JSON text
 * @param turnLease          a turn holds its conversation this long, renewed while it lives; a turn whose lease
 *                           ran out died (its instance crashed or lost the database), and its customer message is
 *                           queued to be answered as an async turn
 * @param recoveryInterval   how often each instance looks for such turns
 * @param holdingReply       what the customer reads when a person takes over
 */
@Validated
@ConfigurationProperties("colloquy.chat")
record ChatProperties(
        @Min(1) @Max(1_000_000) @DefaultValue("8000") int maxMessageChars,
        @Min(2) @Max(1_000_000) @DefaultValue("8000") int maxMetadataChars,
        @NotNull @DefaultValue("15s") Duration turnLease,
        @NotNull @DefaultValue("2s") Duration recoveryInterval,
        @NotBlank @DefaultValue("Thanks for your patience. I'm bringing in a member of our team to help you. "
                + "They will see our whole conversation, so you won't need to repeat anything.") String holdingReply) {
}
