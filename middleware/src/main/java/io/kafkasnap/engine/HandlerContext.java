package io.kafkasnap.engine;

import io.kafkasnap.api.KeyValueState;
import io.kafkasnap.api.NodeContext;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.StoredHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import java.util.function.BiConsumer;

/**
 * What handlers and timers see: the state in the store's batch and sends into the step's outbox. Only the event
 * loop may use it; a call from another thread would race the step and is refused, naming that thread.
 */
final class HandlerContext implements NodeContext, KeyValueState {

    private final String processId;
    private final Set<String> incoming;
    private final Set<String> outgoing;
    private final NodeStore store;
    private final StepRunner steps;
    private volatile Thread loopThread;

    HandlerContext(String processId, Set<String> incoming, Set<String> outgoing, NodeStore store, StepRunner steps) {
        this.processId = processId;
        this.incoming = incoming;
        this.outgoing = outgoing;
        this.store = store;
        this.steps = steps;
    }

    void bindTo(Thread loop) {
        this.loopThread = loop;
    }

    @Override
    public String processId() {
        return processId;
    }

    @Override
    public KeyValueState state() {
        checkThread("state");
        return this;
    }

    @Override
    public void send(String channel, byte[] key, byte[] value) {
        checkThread("send");
        if (!outgoing.contains(channel)) {
            throw new IllegalArgumentException(channel + " is not an outgoing channel of " + processId
                    + "; outgoing: " + outgoing);
        }
        steps.send(channel, key, value);
    }

    @Override
    public void send(String channel, byte[] key, byte[] value, Headers headers) {
        checkThread("send");
        if (!outgoing.contains(channel)) {
            throw new IllegalArgumentException(channel + " is not an outgoing channel of " + processId
                    + "; outgoing: " + outgoing);
        }
        List<StoredHeader> own = new ArrayList<>();
        if (headers != null) {
            for (Header header : headers) {
                if (ChannelHeaders.isReserved(header.key())) {
                    throw new IllegalArgumentException("header '" + header.key() + "' of a record sent on "
                            + channel + " by " + processId + ": names starting with '"
                            + ChannelHeaders.RESERVED_PREFIX + "' are kafkasnap's own; rename it");
                }
                byte[] v = header.value();
                own.add(new StoredHeader(header.key(), v == null ? null : v.clone()));
            }
        }
        steps.send(channel, key, value, own);
    }

    @Override
    public void forEachWithPrefix(String prefix, BiConsumer<String, byte[]> action) {
        checkThread("state().forEachWithPrefix");
        store.forEachStateWithPrefix(Objects.requireNonNull(prefix, "prefix"), action);
    }

    @Override
    public void range(String fromInclusive, String toExclusive, BiConsumer<String, byte[]> action) {
        checkThread("state().range");
        store.forEachStateInRange(Objects.requireNonNull(fromInclusive, "fromInclusive"),
                Objects.requireNonNull(toExclusive, "toExclusive"), action);
    }

    @Override
    public Set<String> incomingChannels() {
        return incoming;
    }

    @Override
    public Set<String> outgoingChannels() {
        return outgoing;
    }

    @Override
    public byte[] get(String key) {
        checkThread("state().get");
        return store.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        checkThread("state().put");
        store.put(key, value);
    }

    @Override
    public void delete(String key) {
        checkThread("state().delete");
        store.delete(key);
    }

    @Override
    public void forEach(BiConsumer<String, byte[]> action) {
        checkThread("state().forEach");
        store.forEachState(action);
    }

    private void checkThread(String call) {
        Thread current = Thread.currentThread();
        if (current != loopThread) {
            throw new IllegalStateException(call + " of " + processId + "'s context was called from thread '"
                    + current.getName() + "'; only the node's event loop ('"
                    + (loopThread == null ? "not started" : loopThread.getName()) + "') may use it, inside a"
                    + " handler or timer");
        }
    }
}
