package io.colloquy.shared;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Background work (lease sweeps, partitions, meters); tests may switch it off. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@ConditionalOnProperty(name = "colloquy.scheduling.enabled", havingValue = "true", matchIfMissing = true)
class SchedulingConfiguration {
}
