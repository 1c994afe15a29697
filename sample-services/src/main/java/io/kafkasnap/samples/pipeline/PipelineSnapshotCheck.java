package io.kafkasnap.samples.pipeline;

import io.kafkasnap.tools.SnapshotCheck;
import io.kafkasnap.tools.common.SnapshotView;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline's invariant for the operator tools (found through {@code META-INF/services}): in a complete snapshot
 * every item the source produced is counted once, in flight or by the sink ({@link PipelineCheck}). The topic prefix
 * is read from the channel names.
 */
public final class PipelineSnapshotCheck implements SnapshotCheck {

    @Override
    public String name() {
        return "pipeline";
    }

    /** A complete snapshot with the pipeline's source and sink among its members. */
    @Override
    public boolean appliesTo(SnapshotView snapshot) {
        return snapshot.isComplete() && snapshot.members().contains(PipelineService.SOURCE)
                && snapshot.members().contains(PipelineService.SINK) && prefix(snapshot).isPresent();
    }

    @Override
    public Verdict check(SnapshotView snapshot) {
        String prefix = prefix(snapshot).orElse("");
        PipelineCheck.Result result = PipelineCheck.check(snapshot, prefix);
        String summary = "produced " + result.produced() + " = " + result.inFlight() + " in flight + "
                + result.counted() + " counted";
        List<String> problems = result.problems().stream()
                .filter(p -> !p.startsWith("status ") && !p.equals("consistency not checked")
                        && !p.startsWith("violation: "))
                .toList();
        return problems.isEmpty() ? Verdict.ok(summary) : Verdict.failed(summary, problems);
    }

    /** The prefix of the topic names: what comes before the source's first channel. */
    static Optional<String> prefix(SnapshotView snapshot) {
        String first = PipelineService.topic("", PipelineService.SOURCE, PipelineService.WORKERS.get(0));
        return snapshot.channelMessages().keySet().stream().filter(t -> t.endsWith(first))
                .map(t -> t.substring(0, t.length() - first.length())).findFirst();
    }
}
