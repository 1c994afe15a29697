package io.kafkasnap.collect;

import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import io.kafkasnap.format.Membership;
import io.kafkasnap.kafka.ChannelLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The real assembler and checker over topics held in memory: for simulations. */
public final class InMemoryAssembly {

    /** A control record and where it is. */
    public record ControlAt(long offset, long timestamp, byte[] value) {
    }

    private InMemoryAssembly() {
    }

    /** Every snapshot triggered below {@code controlEnd}, as the collector would finally show it. */
    public static List<GlobalSnapshot> assembleAll(List<ControlAt> control, List<ConsumerRecord<byte[], byte[]>> fragments,
                                                   ChannelLog channels) {
        Assembler assembler = new Assembler(new ConsistencyChecker(channels), Duration.ZERO, bases(fragments));
        long end = feedControl(assembler, control, Long.MAX_VALUE, -1);
        fragments.forEach(assembler::onFragmentRecord);
        List<GlobalSnapshot> result = new ArrayList<>(assembler.ready(end));
        result.addAll(assembler.expire(Long.MAX_VALUE));
        return result;
    }

    /** Snapshot {@code snapshot} as a restore at control offset {@code controlEnd} finds it; channels not read. */
    public static Optional<GlobalSnapshot> find(List<ControlAt> control, List<ConsumerRecord<byte[], byte[]>> fragments,
                                                long snapshot, long controlEnd) {
        Assembler assembler = new Assembler(new ConsistencyChecker(ChannelLog.unread("channels are not read here")),
                Duration.ZERO, bases(fragments));
        feedControl(assembler, control, controlEnd, snapshot);
        if (!assembler.knows(snapshot)) {
            return Optional.empty();
        }
        String prefix = snapshot + "/";
        for (ConsumerRecord<byte[], byte[]> record : fragments) {
            if (record.key() != null && new String(record.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                assembler.onFragmentRecord(record);
            }
        }
        List<GlobalSnapshot> ready = new ArrayList<>(assembler.ready(controlEnd));
        if (ready.isEmpty()) {
            ready.addAll(assembler.expire(Long.MAX_VALUE));
        }
        return ready.stream().filter(s -> s.snapshot() == snapshot).findFirst();
    }

    /**
     * Reads a base fragment from the records as a reader of the collection topic does: from the record at its offset,
     * that key's chunks on. The records' offsets are their indexes in the list, less the offset of the first.
     */
    static FragmentChains.Source bases(List<ConsumerRecord<byte[], byte[]>> fragments) {
        return (key, offset) -> {
            String name = key.toString();
            long first = fragments.isEmpty() ? 0 : fragments.get(0).offset();
            if (offset < first) {
                return new ChunkReassembler.Unusable(name, offset, 0, "deleted: the records start at " + first);
            }
            ChunkReassembler reassembler = new ChunkReassembler();
            for (int i = (int) (offset - first); i < fragments.size(); i++) {
                ConsumerRecord<byte[], byte[]> record = fragments.get(i);
                String recordKey = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                if (!name.equals(recordKey)) {
                    if (record.offset() == offset) {
                        return new ChunkReassembler.Unusable(name, offset, 0, "offset " + offset + " holds " + recordKey);
                    }
                    continue;
                }
                for (ChunkReassembler.Outcome outcome : reassembler.accept(record)) {
                    return outcome;
                }
            }
            return new ChunkReassembler.Unusable(name, offset, 0, "not all chunks from offset " + offset);
        };
    }

    /** The verdicts of the restores below {@code controlEnd}, as every node judges them. */
    public static ControlHistory history(List<ControlAt> control) {
        ControlHistory history = new ControlHistory();
        for (ControlAt at : control) {
            try {
                history.accept(at.offset(), at.timestamp(), ControlRecord.parse(at.value()));
            } catch (MalformedControlRecordException e) {
                // skipped, as every reader does
            }
        }
        return history;
    }

    private static long feedControl(Assembler assembler, List<ControlAt> control, long controlEnd, long only) {
        Membership membership = new Membership();
        long end = 0;
        for (ControlAt at : control) {
            if (at.offset() >= controlEnd) {
                break;
            }
            end = at.offset() + 1;
            ControlRecord record;
            try {
                record = ControlRecord.parse(at.value());
            } catch (MalformedControlRecordException e) {
                continue;
            }
            Optional<Membership.SnapshotStart> start = membership.accept(at.offset(), at.timestamp(), record);
            if (start.isPresent() && (only < 0 || start.get().snapshot() == only)) {
                assembler.onSnapshotStart(start.get());
            } else if (record instanceof ControlRecord.Abort abort && (only < 0 || abort.snapshot() == only)) {
                assembler.onAbort(abort);
            }
        }
        return end;
    }
}
