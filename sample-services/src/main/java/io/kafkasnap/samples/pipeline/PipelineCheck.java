package io.kafkasnap.samples.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.tools.common.SnapshotView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pipeline's invariant on one global snapshot: every item the source produced is counted exactly once, either in
 * flight on one channel or by the sink; per worker, what the source sent it is in flight to it or processed by it,
 * and what it processed is in flight to the sink or counted from it; item numbers add up and none is in flight twice.
 */
public final class PipelineCheck {

    private PipelineCheck() {
    }

    /**
     * @param produced items the source produced
     * @param counted  items the sink counted
     * @param inFlight items recorded in flight over all channels
     * @param problems empty when the snapshot is complete, consistent (rules 1–3) and the invariant holds
     */
    public record Result(long snapshot, String status, long produced, long counted, int inFlight,
                         List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        public String verdict() {
            return ok() ? "consistent" : String.join("; ", problems.subList(0, Math.min(3, problems.size())));
        }
    }

    public static Result check(JsonNode globalSnapshot, String topicPrefix) {
        return check(new SnapshotView(globalSnapshot), topicPrefix);
    }

    public static Result check(SnapshotView view, String prefix) {
        List<String> problems = new ArrayList<>();
        if (!view.isComplete()) {
            problems.add("status " + view.status());
        }
        if (!view.consistencyChecked()) {
            problems.add("consistency not checked");
        }
        view.violations().forEach(v -> problems.add("violation: " + v));
        String source = PipelineService.SOURCE;
        String sink = PipelineService.SINK;
        for (String process : new String[] {source, sink, PipelineService.WORKERS.get(0), PipelineService.WORKERS.get(1)}) {
            if (!view.members().contains(process)) {
                problems.add(process + " is not a member");
            }
        }
        Map<String, List<JsonNode>> channels = view.channelMessages();
        Set<Long> seen = new HashSet<>();
        long inFlightIdSum = 0;
        int inFlight = 0;
        for (Map.Entry<String, List<JsonNode>> channel : channels.entrySet()) {
            for (JsonNode message : channel.getValue()) {
                try {
                    long item = PipelineService.itemOf(message.path("value"));
                    inFlight++;
                    inFlightIdSum += item;
                    if (!seen.add(item)) {
                        problems.add("item " + item + " is in flight twice");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(channel.getKey() + ": " + e.getMessage());
                }
            }
        }
        long produced = view.stateLong(source, PipelineService.PRODUCED, 0);
        long counted = view.stateLong(sink, PipelineService.COUNTED, 0);
        if (view.isComplete()) {
            if (produced != inFlight + counted) {
                problems.add("produced " + produced + " != " + inFlight + " in flight + " + counted + " counted");
            }
            long producedIds = view.stateLong(source, PipelineService.ID_SUM, 0);
            long countedIds = view.stateLong(sink, PipelineService.ID_SUM, 0);
            if (producedIds != inFlightIdSum + countedIds) {
                problems.add("item numbers: produced sum " + producedIds + " != " + inFlightIdSum + " in flight + "
                        + countedIds + " counted");
            }
            if (producedIds != produced * (produced + 1) / 2) {
                problems.add("source's item numbers are not 1.." + produced);
            }
            for (String worker : PipelineService.WORKERS) {
                long sent = view.stateLong(source, PipelineService.SENT_PREFIX + worker, 0);
                long processed = view.stateLong(worker, PipelineService.PROCESSED, 0);
                long toWorker = size(channels, PipelineService.topic(prefix, source, worker));
                long toSink = size(channels, PipelineService.topic(prefix, worker, sink));
                long fromWorker = view.stateLong(sink, PipelineService.FROM_PREFIX + worker, 0);
                if (sent != toWorker + processed) {
                    problems.add(worker + ": sent " + sent + " != " + toWorker + " in flight + " + processed
                            + " processed");
                }
                if (processed != toSink + fromWorker) {
                    problems.add(worker + ": processed " + processed + " != " + toSink + " in flight + "
                            + fromWorker + " counted by the sink");
                }
            }
        }
        return new Result(view.id(), view.status(), produced, counted, inFlight, List.copyOf(problems));
    }

    private static long size(Map<String, List<JsonNode>> channels, String topic) {
        List<JsonNode> messages = channels.get(topic);
        return messages == null ? 0 : messages.size();
    }
}
