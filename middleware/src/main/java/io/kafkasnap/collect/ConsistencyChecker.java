package io.kafkasnap.collect;

import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.ValueCodec;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.kafka.ChannelRecord;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Sequencing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks rules 1–3 of DESIGN.md ("What makes a snapshot correct") for every channel between two members that both
 * have a fragment, reading the channel's actual records through a {@link ChannelLog}:
 * <ol>
 *   <li>the sender's fragment names marker offset m for the channel, the receiver's names the same, and the record at
 *       m really is a marker;</li>
 *   <li>the receiver's recordedFrom r satisfies r &lt;= m;</li>
 *   <li>the recorded messages are exactly the app records at [r, m) in order, leaving out markers, fences, re-sends
 *       and older epochs as the receiver does; keys and values are compared byte for byte, since a restore hands
 *       those bytes back.</li>
 * </ol>
 * A fragment that lacks a channel its join record declares, whose other end is a member too, breaks rule 1 for that
 * channel; a channel whose other end is no member of the snapshot is not part of it (a node waits for markers only
 * from member senders). A sender whose producer saw a send fail sends the marker again, so the receiver may have
 * applied an earlier copy of the same (epoch, seq) than the one the sender reports: that earlier copy is the marker.
 * Members without a fragment are not violations: the snapshot's status already says it is not complete.
 */
public final class ConsistencyChecker {

    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyChecker.class);

    /** Beyond this many rule-3 discrepancies on one channel, the rest are summarized in one more violation. */
    private static final int MAX_DISCREPANCIES_PER_CHANNEL = 10;

    private final ChannelLog log;

    public ConsistencyChecker(ChannelLog log) {
        this.log = log;
    }

    /**
     * @param snapshot the snapshot id, for messages
     * @param members each member's join record (its channels), by process id
     * @param fragments the usable fragments, by process id; members may be missing
     */
    public GlobalSnapshot.Consistency check(long snapshot, Map<String, ControlRecord.Join> members,
                                            Map<String, Fragment> fragments) {
        List<Violation> violations = new ArrayList<>();
        Map<String, List<String>> senders = new TreeMap<>();
        Map<String, List<String>> receivers = new TreeMap<>();
        new TreeMap<>(members).forEach((process, join) -> {
            join.out().forEach(t -> senders.computeIfAbsent(t, k -> new ArrayList<>()).add(process));
            join.in().forEach(t -> receivers.computeIfAbsent(t, k -> new ArrayList<>()).add(process));
        });
        checkDeclaredChannels(members, fragments, senders, receivers, violations);
        List<Fragment[]> pairs = new ArrayList<>();
        List<ChannelLog.Range> ranges = new ArrayList<>();
        for (Map.Entry<String, List<String>> channel : senders.entrySet()) {
            String topic = channel.getKey();
            for (String p : channel.getValue()) {
                for (String q : receivers.getOrDefault(topic, List.of())) {
                    Fragment sender = fragments.get(p);
                    Fragment receiver = fragments.get(q);
                    if (sender == null || receiver == null
                            || !sender.out().containsKey(topic) || !receiver.in().containsKey(topic)) {
                        continue;
                    }
                    pairs.add(new Fragment[] {sender, receiver});
                    ranges.add(rangeOf(topic, sender, receiver));
                }
            }
        }
        Map<ChannelLog.Range, List<ChannelRecord>> prefetched;
        try {
            prefetched = log.readAll(ranges);
        } catch (ChannelLog.NotRead e) {
            // Not read by design: the check is not done, and that is no failure.
            return new GlobalSnapshot.Consistency(pairs.isEmpty(), violations);
        } catch (ChannelLog.ChannelLogException e) {
            // Read channel by channel instead, so one unreadable channel does not hide the others' results.
            prefetched = Map.of();
        }
        boolean checked = true;
        for (int i = 0; i < pairs.size(); i++) {
            String topic = ranges.get(i).topic();
            try {
                checkChannel(snapshot, topic, pairs.get(i)[0], pairs.get(i)[1], prefetched.get(ranges.get(i)),
                        violations);
            } catch (ChannelLog.ChannelLogException e) {
                checked = false;
                LOG.warn("snapshot {}: could not check channel {} against its log: {}", snapshot, topic,
                        e.getMessage());
            }
        }
        return new GlobalSnapshot.Consistency(checked, violations);
    }

    private static void checkDeclaredChannels(Map<String, ControlRecord.Join> members, Map<String, Fragment> fragments,
                                              Map<String, List<String>> senders, Map<String, List<String>> receivers,
                                              List<Violation> violations) {
        new TreeMap<>(fragments).forEach((process, fragment) -> {
            ControlRecord.Join join = members.get(process);
            if (join == null) {
                return;
            }
            for (String topic : new TreeSet<>(join.out())) {
                if (!fragment.out().containsKey(topic) && receivers.containsKey(topic)) {
                    violations.add(new Violation(1, topic, process + "'s fragment names no marker offset for outgoing "
                            + "channel " + topic + ", which its join record declares"));
                }
            }
            for (String topic : new TreeSet<>(join.in())) {
                if (!fragment.in().containsKey(topic) && senders.containsKey(topic)) {
                    violations.add(new Violation(1, topic, process + "'s fragment has no recording of incoming "
                            + "channel " + topic + ", which its join record declares"));
                }
            }
        });
    }

    /**
     * The receiver's view [r, mq] is what it claims to have recorded, so that is the range to hold it to; up to the
     * sender's m as well, to compare the two markers when they differ.
     */
    private static ChannelLog.Range rangeOf(String topic, Fragment sender, Fragment receiver) {
        Fragment.InChannel recorded = receiver.in().get(topic);
        long m = sender.out().get(topic).markerOffset();
        long to = recorded.recordedFrom() > recorded.markerOffset() ? recorded.recordedFrom()
                : Math.max(recorded.markerOffset(), m) + 1;
        return new ChannelLog.Range(topic, recorded.recordedFrom(), to);
    }

    private void checkChannel(long snapshot, String topic, Fragment sender, Fragment receiver,
                              List<ChannelRecord> prefetched, List<Violation> violations) {
        String p = sender.process();
        String q = receiver.process();
        long m = sender.out().get(topic).markerOffset();
        Fragment.InChannel recorded = receiver.in().get(topic);
        long mq = recorded.markerOffset();
        long r = recorded.recordedFrom();
        if (r > mq) {
            if (mq != m) {
                violations.add(new Violation(1, topic, p + " sent snapshot " + snapshot + "'s marker at offset " + m
                        + " but " + q + " says it arrived at offset " + mq));
            }
            violations.add(new Violation(2, topic, q + " recorded its state at offset " + r
                    + ", after the marker at offset " + mq + " (must be <= the marker offset)"));
            return;
        }
        List<ChannelRecord> records = prefetched != null ? prefetched : log.read(topic, r, Math.max(mq, m) + 1);
        ChannelRecord atMq = at(records, mq);
        if (atMq == null || !atMq.isMarker()) {
            violations.add(new Violation(1, topic, "the record at offset " + mq + " of " + topic + " is "
                    + (atMq == null ? "missing" : "an app record") + ", not a marker"));
        }
        if (mq != m) {
            ChannelRecord atM = at(records, m);
            boolean earlierCopy = mq < m && atMq != null && atM != null && atMq.isMarker() && atM.isMarker()
                    && atMq.isSequenced() && atMq.epoch() == atM.epoch() && atMq.seq() == atM.seq();
            if (!earlierCopy) {
                violations.add(new Violation(1, topic, p + " sent snapshot " + snapshot + "'s marker at offset " + m
                        + " but " + q + " says it arrived at offset " + mq + ", which is not an earlier copy of the"
                        + " same (epoch, seq)"));
            }
        }
        // What the receiver applied, by the same rule it applies records by: re-sends, records of an older epoch
        // and fences are not channel state. The fragment says where its sequence stood at r.
        List<ChannelRecord> sent = new ArrayList<>();
        long lastEpoch = recorded.appliedEpoch();
        long lastSeq = recorded.appliedSeq();
        for (ChannelRecord record : records) {
            if (record.offset() >= mq) {
                break;
            }
            if (record.isSequenced()) {
                if (Sequencing.verdict(lastEpoch, lastSeq, record.epoch(), record.seq()) != Sequencing.Verdict.APPLY) {
                    continue;
                }
                lastEpoch = record.epoch();
                lastSeq = record.seq();
            }
            if (record.isAppRecord()) {
                sent.add(record);
            }
        }
        compareMessages(topic, q, r, mq, recorded.messages(), sent, violations);
    }

    private static ChannelRecord at(List<ChannelRecord> records, long offset) {
        for (ChannelRecord record : records) {
            if (record.offset() == offset) {
                return record;
            }
        }
        return null;
    }

    private static void compareMessages(String topic, String q, long r, long m, List<Fragment.Message> recorded,
                                        List<ChannelRecord> sent, List<Violation> violations) {
        List<String> problems = new ArrayList<>();
        long previous = Long.MIN_VALUE;
        for (Fragment.Message message : recorded) {
            if (message.offset() <= previous) {
                problems.add(q + " recorded offset " + message.offset() + " after offset " + previous
                        + ": recorded messages are not in offset order");
            }
            previous = Math.max(previous, message.offset());
        }
        Map<Long, Fragment.Message> byOffset = new TreeMap<>();
        recorded.forEach(message -> byOffset.putIfAbsent(message.offset(), message));
        Map<Long, ChannelRecord> sentByOffset = new TreeMap<>();
        sent.forEach(record -> sentByOffset.put(record.offset(), record));

        for (ChannelRecord record : sent) {
            Fragment.Message message = byOffset.get(record.offset());
            if (message == null) {
                problems.add("offset " + record.offset() + " was in flight (in [" + r + ", " + m + ")) but " + q
                        + " did not record it");
                continue;
            }
            // Byte for byte: a restore hands these very bytes back to the handler.
            if (!java.util.Arrays.equals(message.keyBytes(), record.key())) {
                problems.add("offset " + record.offset() + ": recorded key " + brief(message.key())
                        + " but the channel has " + brief(ValueCodec.toJson(record.key())));
            }
            if (!java.util.Arrays.equals(message.valueBytes(), record.value())) {
                problems.add("offset " + record.offset() + ": recorded value " + brief(message.value())
                        + " but the channel has " + brief(ValueCodec.toJson(record.value())));
            }
        }
        for (long offset : byOffset.keySet()) {
            if (!sentByOffset.containsKey(offset)) {
                problems.add(q + " recorded offset " + offset + ", which is not an app record of " + topic + " in ["
                        + r + ", " + m + ")");
            }
        }
        for (int i = 0; i < problems.size() && i < MAX_DISCREPANCIES_PER_CHANNEL; i++) {
            violations.add(new Violation(3, topic, problems.get(i)));
        }
        if (problems.size() > MAX_DISCREPANCIES_PER_CHANNEL) {
            violations.add(new Violation(3, topic, (problems.size() - MAX_DISCREPANCIES_PER_CHANNEL)
                    + " more differences between the recorded messages and the channel's records"));
        }
    }

    private static String brief(JsonNode node) {
        String text = node.toString();
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
