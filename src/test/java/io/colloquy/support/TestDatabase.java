package io.colloquy.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The database tests run against: the PostgreSQL named by {@code SPRING_DATASOURCE_URL} (with
 * {@code SPRING_DATASOURCE_USERNAME}/{@code PASSWORD}) when it is set, as on machines without Docker;
 * otherwise a throwaway PostgreSQL container from Testcontainers.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestDatabase {

    /** Every test context records the SQL the service sends (see {@link SqlRecorder}). */
    @Bean
    static SqlRecorder sqlRecorder() {
        return new SqlRecorder();
    }

    /** Every test context keeps the spans it ends (see {@link RecordedSpans}). */
    @Bean
    static RecordedSpans recordedSpans() {
        return new RecordedSpans();
    }

    @Bean
    @ServiceConnection
    @Conditional(NoExternalDatabase.class)
    PostgreSQLContainer postgres() {
        return new PostgreSQLContainer("postgres:16-alpine");
    }

    static class NoExternalDatabase implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String url = System.getenv("SPRING_DATASOURCE_URL");
            return url == null || url.isBlank();
        }
    }
}
