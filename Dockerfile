# The kafkasnap command line (sample services, assembler, demo) as an image, built from this repository.
#   docker build -t kafkasnap .
#   docker run --rm kafkasnap demo            # the whole demo in one container, in-JVM broker
# docker-compose.yml uses it for three bank services and an assembler next to an apache/kafka broker.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# the wrapper and the poms first, so that the dependency download is cached while sources change
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY embedded-kafka/pom.xml embedded-kafka/
COPY middleware/pom.xml middleware/
COPY sample-services/pom.xml sample-services/
RUN ./mvnw -q -B dependency:go-offline -DskipTests || true
COPY embedded-kafka/src embedded-kafka/src
COPY middleware/src middleware/src
COPY sample-services/src sample-services/src
RUN ./mvnw -q -B -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/sample-services/target/kafkasnap.jar /app/kafkasnap.jar
# logs (the broker's, the clients') go to a file; the console shows the command's own output and our warnings
ENV KAFKASNAP_LOG_DIR=/var/log/kafkasnap
VOLUME ["/data"]
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -Dkafkasnap.log.dir=\"$KAFKASNAP_LOG_DIR\" -jar /app/kafkasnap.jar \"$@\"", "kafkasnap"]
CMD ["--help"]
