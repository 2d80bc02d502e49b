# Build with the Maven wrapper on a JDK, run on a JRE as a non-root user.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -q -B dependency:go-offline
COPY src src
RUN ./mvnw -q -B -DskipTests package && cp target/colloquy-*.jar /colloquy.jar
# the health check's probe, compiled here: the JRE below has no compiler, and may have no curl or wget
COPY ops/docker/Health.java /health/Health.java
RUN javac --release 25 -d /health /health/Health.java

FROM eclipse-temurin:25-jre
RUN groupadd --system colloquy && useradd --system --gid colloquy --home /app colloquy
WORKDIR /app
COPY --from=build /colloquy.jar /app/colloquy.jar
COPY --from=build /health/Health.class /app/Health.class
USER colloquy
# 8080: the API and the agent console; 8081: the management port (health with details, /actuator/prometheus),
# for operators and the Prometheus scraper only: do not publish it beyond them
EXPOSE 8080 8081
# UP while the database answers (an open model circuit keeps it UP: the service can still hand off); a small
# JVM for the probe on the management port; load balancers and orchestrators may probe /livez and /readyz on the
# API port (status only) instead
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["java", "-Xmx24m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", "/app", "Health"]
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/colloquy.jar"]
