/**
 * Live delivery: notifications between instances (PostgreSQL {@code LISTEN/NOTIFY}, sent when the
 * transaction that caused them commits) and Server-Sent Event streams to widgets and agents. It knows
 * nothing of conversations or handoffs: the modules that write those publish here and read their own
 * tables when a notification arrives, so the database stays the source of truth and a missed
 * notification costs latency, never an event.
 */
package io.colloquy.events;
