package io.colloquy.shared;

import java.net.URI;

/** Problem type URIs are stable identifiers, documented in the README's API section. */
public final class ProblemTypes {

    private static final String BASE = "https://colloquy.io/problems/";

    private ProblemTypes() {
    }

    public static URI uri(String slug) {
        return URI.create(BASE + slug);
    }
}
