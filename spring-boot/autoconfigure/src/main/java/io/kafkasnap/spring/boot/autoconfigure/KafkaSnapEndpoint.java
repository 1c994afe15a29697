package io.kafkasnap.spring.boot.autoconfigure;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.kafka.Triggers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code /actuator/kafkasnap}: the snapshots of this application's snapshot group.
 * <ul>
 *   <li>{@code GET /actuator/kafkasnap}: every snapshot read so far (summaries) and those in progress;</li>
 *   <li>{@code GET /actuator/kafkasnap/{snapshot}}: one snapshot in full (the assembled JSON of DESIGN.md);</li>
 *   <li>{@code POST /actuator/kafkasnap}: triggers a snapshot, returns its id;</li>
 *   <li>{@code POST /actuator/kafkasnap/{snapshot}/restore}: rolls the whole group back to a complete snapshot, only
 *       with {@code kafkasnap.endpoint.restore-enabled=true}; 403 otherwise, 409 when the restore is refused.</li>
 * </ul>
 */
@WebEndpoint(id = "kafkasnap")
public class KafkaSnapEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaSnapGroup group;
    private final SnapshotCatalog catalog;
    private final boolean restoreEnabled;

    public KafkaSnapEndpoint(KafkaSnapGroup group, SnapshotCatalog catalog, boolean restoreEnabled) {
        this.group = group;
        this.catalog = catalog;
        this.restoreEnabled = restoreEnabled;
    }

    @ReadOperation
    public Map<String, Object> snapshots() {
        SnapshotCatalog.View view = catalog.view();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("process", group.processId());
        body.put("controlTopic", group.controlTopic());
        body.put("collectionTopic", group.collectionTopic());
        body.put("snapshots", view.summaries().stream().map(KafkaSnapEndpoint::summary).toList());
        body.put("inProgress", view.inProgress().stream().map(GlobalSnapshot::snapshot).toList());
        body.put("restoreEnabled", restoreEnabled);
        if (view.error() != null) {
            body.put("error", view.error());
        }
        return body;
    }

    @ReadOperation
    public WebEndpointResponse<Map<String, Object>> snapshot(@Selector long snapshot) {
        Optional<GlobalSnapshot> found = catalog.find(snapshot);
        if (found.isEmpty()) {
            return new WebEndpointResponse<>(message("snapshot " + snapshot + " is unknown: offset " + snapshot
                    + " of " + group.controlTopic() + " is not a trigger"), WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return new WebEndpointResponse<>(asMap(found.get()));
    }

    /** Triggers a snapshot of the whole group; {@code initiator} is optional. */
    @WriteOperation
    public Map<String, Object> trigger(@Nullable String initiator) {
        long id = Triggers.trigger(group.clientProperties().asProperties(), group.controlTopic(),
                Optional.ofNullable(initiator));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("snapshot", id);
        body.put("controlTopic", group.controlTopic());
        return body;
    }

    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> restore(@Selector long snapshot, @Selector String action,
                                                            @Nullable Boolean allowNewMembers) {
        if (!"restore".equals(action)) {
            return new WebEndpointResponse<>(message("unknown action '" + action + "'; POST .../" + snapshot
                    + "/restore"), WebEndpointResponse.STATUS_NOT_FOUND);
        }
        if (!restoreEnabled) {
            return new WebEndpointResponse<>(message("restore through the endpoint is off: it rolls every member of "
                    + "the group back; set kafkasnap.endpoint.restore-enabled=true to allow it"), 403);
        }
        try (Restores.Handle handle = Restores.restore(group.clientProperties().asProperties(), group.controlTopic(),
                group.collectionTopic(), snapshot, Boolean.TRUE.equals(allowNewMembers))) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("snapshot", handle.snapshot());
            body.put("epoch", handle.epoch());
            body.put("expected", List.copyOf(handle.expected()));
            return new WebEndpointResponse<>(body);
        } catch (Restores.RefusedException e) {
            return new WebEndpointResponse<>(message(e.getMessage()), 409);
        }
    }

    private static Map<String, Object> summary(SnapshotCollector.Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", s.snapshot());
        m.put("status", s.status().wire());
        m.put("triggeredAt", s.triggeredAt());
        m.put("completedAt", s.completedAt());
        m.put("members", s.members());
        m.put("inFlight", s.inFlight());
        m.put("consistent", s.consistent());
        return m;
    }

    private static Map<String, Object> asMap(GlobalSnapshot snapshot) {
        try {
            // Plain maps and lists: the application's JSON mapper (Jackson 3 in Spring Boot 4) writes them as they are.
            return JSON.readValue(snapshot.toJson(false), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> message(String text) {
        return Map.of("message", text);
    }
}
