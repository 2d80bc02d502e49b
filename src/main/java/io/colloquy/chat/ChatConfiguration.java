package io.colloquy.chat;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ChatProperties.class, JobProperties.class})
class ChatConfiguration {
}
