package io.kafkasnap.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A node's record on the status topic (DESIGN.md, "Status topic"):
 * {@code {"v":1,"process":"bank-0","at":...,"epoch":0,"positions":{"bank.1.0":121},"outbox":0,"inFlight":[42]}}.
 *
 * @param at        when the node wrote it, epoch millis
 * @param positions incoming channel → the next offset the node will process
 */
public record StatusRecord(String process, long at, long epoch, Map<String, Long> positions, long outbox,
                           List<Long> inFlight) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public StatusRecord {
        positions = Map.copyOf(positions);
        inFlight = List.copyOf(inFlight);
    }

    /**
     * Reads a status value; empty when it is not one this code understands (another version, not JSON), so a
     * dashboard older or newer than the nodes shows lag as unknown instead of failing.
     */
    public static Optional<StatusRecord> parse(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode json = MAPPER.readTree(value);
            if (json == null || !json.isObject() || json.path("v").asInt(-1) != 1 || !json.path("process").isTextual()) {
                return Optional.empty();
            }
            Map<String, Long> positions = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : json.path("positions").properties()) {
                if (e.getValue().canConvertToLong()) {
                    positions.put(e.getKey(), e.getValue().asLong());
                }
            }
            List<Long> inFlight = new java.util.ArrayList<>();
            json.path("inFlight").forEach(n -> {
                if (n.canConvertToLong()) {
                    inFlight.add(n.asLong());
                }
            });
            return Optional.of(new StatusRecord(json.get("process").asText(), json.path("at").asLong(0),
                    json.path("epoch").asLong(0), positions, json.path("outbox").asLong(0), inFlight));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
