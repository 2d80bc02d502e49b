package io.colloquy.memory;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.memory.*}: how a conversation's context is kept under the tenant's token budget.
 * Ratios are shares of that budget.
 *
 * @param compactionTrigger compact when the unsummarised context would pass this share
 * @param keepRecent        after compacting, at most this share stays verbatim (the newest turns)
 * @param summaryShare      the running summary may use at most this share
 * @param factsShare        pinned facts may use at most this share of the prompt
 * @param systemPrompt      the instructions every chat prompt starts with
 * @param recallShare       quotes recalled from the archived transcript may use at most this share (0: no recall)
 * @param recallCandidates  how many archived messages a search returns to choose the quotes from
 * @param maxMessageShare   the longest customer message accepted, as a share of the budget (longer: 413,
 *                          before anything is stored); a message within it always reaches the model whole
 */
@Validated
@ConfigurationProperties("colloquy.memory")
record MemoryProperties(
        @DecimalMin("0.3") @DecimalMax("0.95") @DefaultValue("0.8") double compactionTrigger,
        @DecimalMin("0.1") @DecimalMax("0.6") @DefaultValue("0.4") double keepRecent,
        @DecimalMin("0.05") @DecimalMax("0.4") @DefaultValue("0.2") double summaryShare,
        @DecimalMin("0.05") @DecimalMax("0.3") @DefaultValue("0.15") double factsShare,
        @NotBlank @DefaultValue(DEFAULT_SYSTEM_PROMPT) String systemPrompt,
        @DecimalMin("0") @DecimalMax("0.3") @DefaultValue("0.1") double recallShare,
        @Min(1) @Max(50) @DefaultValue("8") int recallCandidates,
        @DecimalMin("0.1") @DecimalMax("0.6") @DefaultValue("0.5") double maxMessageShare) {

    static final String DEFAULT_SYSTEM_PROMPT = """
                You are a customer-support assistant for a company's customers. Be brief, friendly and precise. \
                Use the key facts, the summary and the recalled quotes below: never ask the customer for something \
                they already gave. If you are not sure, say so and set a low confidence. If the customer needs \
                something you cannot do, or asks for a person, set needsHuman to true.""";

    /** The fixed parts of a prompt must leave room for the conversation itself. */
    MemoryProperties {
        double fixed = factsShare + summaryShare + recallShare + ContextAssembler.INSTRUCTIONS_SHARE
                + ContextAssembler.AIMS_SHARE;
        // rounding: 0.15 + 0.2 + 0.1 + 0.3 + 0.05 is a hair over 0.8 in binary
        if (fixed > 0.8 + 1e-9) {
            throw new IllegalArgumentException("colloquy.memory.facts-share + summary-share + recall-share leave too "
                    + "little of the budget for the conversation (with instructions and intent they take " + fixed
                    + " of it; at most 0.8)");
        }
    }
}
