package io.colloquy.tenant;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** One step of a tenant's route to a model: ask {@code model} on the named upstream. */
public record RouteEntry(
        @NotBlank @Size(max = 60) @Pattern(regexp = "[A-Za-z0-9_.-]+", message = "must be an upstream's name") String upstream,
        @NotBlank @Size(max = 100) @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL characters") String model) {

    @Override
    public String toString() {
        return upstream + ":" + model;
    }
}
