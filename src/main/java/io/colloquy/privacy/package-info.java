/**
 * Personal data: one masking policy for every surface where someone other than the customer reads a
 * conversation (agents, the console, memory views, handoff packages, agent event streams, webhooks), and
 * the optional redaction of card numbers and a tenant's own patterns before text is stored, so the model,
 * the memory, the summaries and the recall index never receive them. Patterns run with a time limit.
 */
package io.colloquy.privacy;
