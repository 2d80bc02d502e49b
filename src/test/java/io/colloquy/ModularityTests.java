package io.colloquy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The package-per-feature structure is checked, not just intended: no cycles between modules, and no
 * module reaching into another's internals (only the public types at a module's root are its API).
 */
class ModularityTests {

    static final ApplicationModules MODULES = ApplicationModules.of(ColloquyApplication.class);

    @Test
    void modulesDependOnEachOtherOnlyThroughTheirPublicFaceAndWithoutCycles() {
        MODULES.verify();
    }

    @Test
    void theModelDoorAndTheLedgerDependOnNothingAboveThem() {
        assertThat(MODULES.getModuleByName("usage").orElseThrow().getDirectDependencies(MODULES).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString())).doesNotContain("llm", "memory", "conversation", "handoff", "chat");
        assertThat(MODULES.getModuleByName("llm").orElseThrow().getDirectDependencies(MODULES).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString())).doesNotContain("memory", "conversation", "handoff", "chat");
    }

    @Test
    void liveDeliveryDependsOnlyOnTheSharedKernel() {
        assertThat(MODULES.getModuleByName("events").orElseThrow().getDirectDependencies(MODULES).stream()
                .map(d -> d.getTargetModule().getIdentifier().toString())).containsOnly("shared");
    }
}
