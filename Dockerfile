# kbackup container image from the built jar, with Spring Boot's layers so that dependencies (which change rarely)
# and the application (which changes often) are separate image layers.
#   ./mvnw -B -q package -DskipTests
#   docker build -t <registry>/kbackup:0.1.0 . && docker push <registry>/kbackup:0.1.0
FROM eclipse-temurin:17-jre AS extract
WORKDIR /build
COPY target/kbackup.jar kbackup.jar
RUN java -Djarmode=tools -jar kbackup.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:17-jre
# A fixed non-root user, matching runAsUser in k8s/cronjob.yaml; the root filesystem can stay read-only
# (the job repository and temporary files go to mounted volumes).
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin kbackup
WORKDIR /app
COPY --from=extract /build/extracted/dependencies/ ./
COPY --from=extract /build/extracted/spring-boot-loader/ ./
COPY --from=extract /build/extracted/snapshot-dependencies/ ./
COPY --from=extract /build/extracted/application/ ./
USER 10001
# A backup is a batch run of seconds to minutes on a small CPU request: the C2 compiler's work on cold paths costs
# more CPU than its faster code gives back (100,000 objects: 16 CPU s with C2, 9 to 10 with C1 only; bench/RESULTS.md).
# The serial collector is what the JVM picks by itself in a pod of less than 1792 MiB (the CronJob's is 1 GiB); saying
# so makes it the same in bigger pods and in the benchmarks, where it kept the peak heap flat (bench/RESULTS.md).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "org.springframework.boot.loader.launch.JarLauncher"]
