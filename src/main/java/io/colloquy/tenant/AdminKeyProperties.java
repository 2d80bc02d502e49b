package io.colloquy.tenant;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code colloquy.admin-key} ({@code COLLOQUY_ADMIN_KEY}): the platform admin's key. Without it no
 * admin endpoint can be called at all.
 */
@ConfigurationProperties("colloquy")
record AdminKeyProperties(String adminKey) {
}
