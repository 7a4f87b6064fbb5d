# syntax=docker/dockerfile:1
# Mail Gateway container image:  docker build -t mail-gateway:0.1.0 .
# The same image without a Docker daemon:  mvn -Pimage package jib:buildTar  (README, "Container image").
# Tests do not run here (they start Kafka and SMTP servers): run `mvn verify` before building.

# --- build: the application jar and its runtime dependencies, as separate folders ---------------------------
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY src/main src/main
COPY routes routes
COPY templates templates
# The cache mount keeps ~/.m2 between builds, so only changed dependencies are downloaded again.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -Dmaven.test.skip=true package \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory=target/libs \
 && mv target/mail-gateway-[0-9]*.jar target/app.jar

# --- runtime: JRE 17 only ------------------------------------------------------------------------------------
FROM eclipse-temurin:17.0.15_6-jre
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin gateway
# /app holds no routes/ or templates/ folder, so the ones bundled in app.jar are used unless a folder is mounted
# there (or GATEWAY_ROUTES_DIR / GATEWAY_TEMPLATES_DIR point elsewhere).
WORKDIR /app
# Dependencies change less often than the application: their layer comes first and is reused.
COPY --from=build /build/target/libs/ /app/libs/
COPY --from=build /build/target/app.jar /app/app.jar
COPY --from=build /build/src/main/jvm/jvm.options /app/jvm.options
# The class-data-sharing archive: one start and stop of the gateway (no broker needed) records the classes a start
# loads, and every start then maps them instead of loading them one by one from the jars, about half the time to
# ready. Recorded here with the image's own JVM and jars, the only ones it fits; a JVM that cannot use it ignores it.
RUN java -XX:ArchiveClassesAtExit=/app/app.jsa -Djava.io.tmpdir=/tmp -cp "/app/app.jar:/app/libs/*" \
        io.mailgateway.MailGateway warm-up > /tmp/warm-up.log 2>&1 \
     || { tail -50 /tmp/warm-up.log; exit 1; } \
 && rm -rf /tmp/* /tmp/.[!.]*
USER 10001:10001
EXPOSE 8080
# The heap follows the container's memory limit; an OutOfMemoryError ends the process so it is restarted
# instead of limping on. No HEALTHCHECK: the image has no HTTP client, and Kubernetes uses its own probes
# (/observe/health/live and /observe/health/ready on port 8080). jvm.options holds the JIT settings (README, "Running
# it").
ENTRYPOINT ["java", "-XX:VMOptionsFile=/app/jvm.options", "-XX:SharedArchiveFile=/app/app.jsa", \
            "-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", \
            "-Djava.io.tmpdir=/tmp", \
            "-cp", "/app/app.jar:/app/libs/*", "io.mailgateway.MailGateway"]
