package io.kafkasnap.spring.boot.autoconfigure;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.node.SnapshotNodeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of {@link SnapshotNodeConfig} as a typed Spring property: {@code kafkasnap.snapshot.timeout.ms=60000}
 * is {@code kafkasnap.snapshot.timeout=60s}, {@code kafkasnap.fragment.chunk.bytes} is
 * {@code kafkasnap.fragment.chunk-size=512KB}. Types, defaults, checks and docs stay in SnapshotNodeConfig: a value
 * bound here is handed to {@link SnapshotNode.Builder#setting}, which checks it, and the configuration metadata
 * (META-INF/additional-spring-configuration-metadata.json) is generated from SnapshotNodeConfig's definition.
 * A test fails when a setting is missing from this table or the metadata is out of date.
 */
public final class NodeSettings {

    /** How a Spring value becomes a node setting's value, and a node default a Spring one. */
    public enum Kind {
        TEXT(String.class, v -> v, v -> v),
        FLAG(Boolean.class, v -> v, v -> v),
        NUMBER(Integer.class, v -> v, v -> v),
        MILLIS(Duration.class, v -> ((Duration) v).toMillis(), v -> format(Duration.ofMillis(((Number) v).longValue()))),
        BYTES(DataSize.class, v -> bytes((DataSize) v), v -> format(DataSize.ofBytes(((Number) v).longValue())));

        private final Class<?> springType;
        private final Function<Object, Object> toNode;
        private final Function<Object, Object> toSpring;

        Kind(Class<?> springType, Function<Object, Object> toNode, Function<Object, Object> toSpring) {
            this.springType = springType;
            this.toNode = toNode;
            this.toSpring = toSpring;
        }

        public Class<?> springType() {
            return springType;
        }
    }

    /**
     * @param setting  the name in {@link SnapshotNodeConfig}
     * @param property the Spring property
     */
    public record Setting(String setting, String property, Kind kind) {

        /** The node's value for a bound Spring value. */
        public Object toNode(Object springValue) {
            return kind.toNode.apply(springValue);
        }

        /** A node default as it is written in a Spring property file (60000 ms is "60s"). */
        public Object toSpring(Object nodeValue) {
            return nodeValue == null ? null : kind.toSpring.apply(nodeValue);
        }
    }

    /** A setting given in the environment, with what was written and what the node gets. */
    public record Bound(Setting setting, Object springValue, Object nodeValue) {
    }

    public static final List<Setting> ALL = List.of(
            new Setting(SnapshotNodeConfig.CONTROL_TOPIC, "kafkasnap.control.topic", Kind.TEXT),
            new Setting(SnapshotNodeConfig.COLLECTION_TOPIC, "kafkasnap.collection.topic", Kind.TEXT),
            new Setting(SnapshotNodeConfig.CREATE_TOPICS, "kafkasnap.topics.create", Kind.FLAG),
            new Setting(SnapshotNodeConfig.REPLICATION_FACTOR, "kafkasnap.topics.replication-factor", Kind.NUMBER),
            new Setting(SnapshotNodeConfig.CHUNK_BYTES, "kafkasnap.fragment.chunk-size", Kind.BYTES),
            new Setting(SnapshotNodeConfig.FRAGMENT_FULL_EVERY, "kafkasnap.fragment.full-every", Kind.NUMBER),
            new Setting(SnapshotNodeConfig.MAX_POLL_WAIT_MS, "kafkasnap.poll.max-wait", Kind.MILLIS),
            new Setting(SnapshotNodeConfig.OUTBOX_MAX_RECORDS, "kafkasnap.outbox.max-records", Kind.NUMBER),
            new Setting(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS, "kafkasnap.snapshot.timeout", Kind.MILLIS),
            new Setting(SnapshotNodeConfig.SNAPSHOT_MAX_CONCURRENT, "kafkasnap.snapshot.max-concurrent", Kind.NUMBER),
            new Setting(SnapshotNodeConfig.SNAPSHOT_ALIGN_MAX_LAG, "kafkasnap.snapshot.align.max-lag", Kind.NUMBER),
            new Setting(SnapshotNodeConfig.SNAPSHOT_ALIGN_TIMEOUT_MS, "kafkasnap.snapshot.align.timeout", Kind.MILLIS),
            new Setting(SnapshotNodeConfig.STATUS_TOPIC, "kafkasnap.status.topic", Kind.TEXT),
            new Setting(SnapshotNodeConfig.STATUS_INTERVAL_MS, "kafkasnap.status.interval", Kind.MILLIS),
            new Setting(SnapshotNodeConfig.STORE_SYNC, "kafkasnap.store.sync", Kind.FLAG));

    private NodeSettings() {
    }

    public static Optional<Setting> forSetting(String setting) {
        return ALL.stream().filter(s -> s.setting().equals(setting)).findFirst();
    }

    /** The settings present in the environment, in the order of {@link #ALL}. */
    public static List<Bound> bind(Binder binder) {
        return ALL.stream().flatMap(setting -> {
            BindResult<?> result = binder.bind(setting.property(), setting.kind().springType());
            return result.isBound()
                    ? java.util.stream.Stream.of(new Bound(setting, result.get(), setting.toNode(result.get())))
                    : java.util.stream.Stream.empty();
        }).toList();
    }

    /** A setting's value as given in the environment, else empty (the node's default applies). */
    public static Optional<Object> nodeValue(List<Bound> bound, String setting) {
        return bound.stream().filter(b -> b.setting().setting().equals(setting)).findFirst().map(Bound::nodeValue);
    }

    /** Hands every bound setting to the builder; a value the node refuses is reported with its Spring property. */
    static void apply(List<Bound> bound, SnapshotNode.Builder builder) {
        for (Bound b : bound) {
            try {
                builder.setting(b.setting().setting(), b.nodeValue());
            } catch (IllegalArgumentException e) {
                throw new KafkaSnapConfigurationException(b.setting().property(), b.springValue(), e.getMessage());
            }
        }
    }

    private static Object bytes(DataSize size) {
        long bytes = size.toBytes();
        if (bytes > Integer.MAX_VALUE) {
            // Let the node's range check say what the limit is.
            return Integer.MAX_VALUE;
        }
        return (int) bytes;
    }

    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0 && millis >= 600_000) {
            return millis / 60_000 + "m";
        }
        if (millis != 0 && millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    static String format(DataSize size) {
        long bytes = size.toBytes();
        if (bytes != 0 && bytes % (1024L * 1024) == 0) {
            return bytes / (1024L * 1024) + "MB";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "KB";
        }
        return bytes + "B";
    }
}
