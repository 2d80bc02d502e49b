package io.colloquy.shared;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Encrypts credentials a tenant gives us (webhook secrets, its own model-provider keys) before they are
 * stored: AES-256-GCM under a key from configuration ({@code colloquy.secrets.key}, 32 bytes in base64).
 * A stored value names the key it was sealed with ({@code v1:<key id>:<base64>}), so keys can rotate:
 * put the new key in {@code key} with a new {@code key-id}, keep the old one under
 * {@code previous-keys.<id>} until every value has been written again, then drop it.
 */
@Component
@EnableConfigurationProperties(SecretBox.Properties.class)
public class SecretBox {

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    /**
     * @param key          the current key, base64 of 32 random bytes ({@code openssl rand -base64 32}); none: no
     *                     credential can be stored
     * @param keyId        its name in stored values
     * @param previousKeys earlier keys by id, for values not yet sealed again
     */
    @ConfigurationProperties("colloquy.secrets")
    public record Properties(String key, @DefaultValue("k1") String keyId, @DefaultValue Map<String, String> previousKeys) {
    }

    private final String currentId;
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    SecretBox(Properties properties) {
        this.currentId = properties.keyId();
        properties.previousKeys().forEach((id, k) -> keys.put(id, spec(id, k)));
        if (properties.key() != null && !properties.key().isBlank()) {
            keys.put(currentId, spec(currentId, properties.key()));
        }
    }

    private static SecretKeySpec spec(String id, String base64) {
        byte[] raw = Base64.getDecoder().decode(base64.strip());
        if (raw.length != 32) {
            throw new IllegalStateException("colloquy.secrets key '" + id + "' must be 32 bytes in base64 (openssl rand -base64 32)");
        }
        return new SecretKeySpec(raw, "AES");
    }

    /** Whether credentials can be stored (a key is configured). */
    public boolean enabled() {
        return keys.containsKey(currentId);
    }

    public String seal(String plaintext) {
        if (!enabled()) {
            throw new NoSecretsKeyException();
        }
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(currentId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return "v1:" + currentId + ":" + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by every Java platform", e);
        }
    }

    public String open(String stored) {
        String[] parts = stored.split(":", 3);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new IllegalStateException("not a sealed value");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("sealed with key '" + parts[1] + "', which is not configured");
        }
        try {
            byte[] all = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            cipher.updateAAD(parts[1].getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored credential could not be opened (wrong key?)", e);
        }
    }

    private static final java.util.regex.Pattern SEALED = java.util.regex.Pattern.compile("v1:[^:\\s]+:[A-Za-z0-9+/]+=*");

    /**
     * Whether {@code stored} is a sealed value ({@code v1:<key id>:<base64>}), as opposed to a credential
     * stored in clear before sealing was introduced.
     */
    public static boolean isSealed(String stored) {
        return stored != null && SEALED.matcher(stored).matches();
    }

    /** Whether {@code stored} was sealed with an older key (and should be sealed again). */
    public boolean sealedWithOldKey(String stored) {
        return !stored.startsWith("v1:" + currentId + ":");
    }

    /** Refused when no key is configured: a credential is never stored in clear. */
    public static class NoSecretsKeyException extends ProblemException {
        NoSecretsKeyException() {
            super(HttpStatus.BAD_REQUEST, "secrets-not-configured", "Credentials cannot be stored",
                    "This deployment has no colloquy.secrets.key, so it cannot store credentials (webhook secrets, "
                            + "provider keys); ask its operator to set one");
        }
    }
}
