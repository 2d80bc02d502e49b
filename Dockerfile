# Build with the Maven wrapper on a JDK, run on a JRE as a non-root user.
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -q -B dependency:go-offline
COPY src src
RUN ./mvnw -q -B -DskipTests package && cp target/colloquy-*.jar /colloquy.jar

FROM eclipse-temurin:25-jre
RUN groupadd --system colloquy && useradd --system --gid colloquy --home /app colloquy
WORKDIR /app
COPY --from=build /colloquy.jar /app/colloquy.jar
USER colloquy
EXPOSE 8080
# orchestrators probe /actuator/health/liveness and /actuator/health/readiness
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/colloquy.jar"]
