package io.kafkasnap.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class ChannelHeadersTest {

    @Property
    void aWrittenSequenceReadsBackAsTheDecimalTextLongParsesItTo(@ForAll @LongRange(min = 0) long epoch,
                                                                  @ForAll @LongRange(min = 0) long seq) {
        Headers headers = ChannelHeaders.of(epoch, seq, -1, false);
        assertThat(new String(headers.lastHeader(ChannelHeaders.SEQ).value(), StandardCharsets.US_ASCII))
                .isEqualTo(Long.toString(seq));
        assertThat(ChannelHeaders.sequence(headers)).isEqualTo(new ChannelHeaders.Sequence(epoch, seq));
    }

    @Property
    void anyTextIsReadOnlyWhenItIsAsciiDigitsOfALong(@ForAll @StringLength(max = 21) String text) {
        // Long.parseLong takes signs and non-ASCII digits too; the wire format is ASCII digits only
        long expected = -1;
        if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                expected = Long.parseLong(text);
            } catch (NumberFormatException e) {
                expected = -1;
            }
        }
        assertThat(ChannelHeaders.parseDecimal(text.getBytes(StandardCharsets.UTF_8))).as("'%s'", text)
                .isEqualTo(expected);
    }

    @Test
    void theLargestLongIsReadAndOneMoreIsRefused() {
        assertThat(ChannelHeaders.parseDecimal("9223372036854775807".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(ChannelHeaders.parseDecimal("9223372036854775808".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(-1);
        assertThat(ChannelHeaders.parseDecimal("99999999999999999999".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(-1);
    }

    @Test
    void aMalformedSequenceHeaderIsNamedWithItsText() {
        Headers headers = new RecordHeaders();
        headers.add(ChannelHeaders.EPOCH, "0".getBytes(StandardCharsets.US_ASCII));
        headers.add(ChannelHeaders.SEQ, "-3".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> ChannelHeaders.sequence(headers)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kafkasnap-seq header '-3' is not a non-negative decimal");
    }

    /**
     * The one-pass read a receiver does agrees with the header-by-header reads on any mix of kafkasnap headers
     * (repeated, missing, malformed) and a service's own: same values, or the same error.
     */
    @Property(tries = 2000)
    void theOnePassReadSaysWhatTheHeaderByHeaderReadsSay(@ForAll("headerLists") List<Header> list) {
        Headers headers = new RecordHeaders(list.toArray(new Header[0]));
        Object expected;
        try {
            expected = new ChannelHeaders.Read(ChannelHeaders.sequence(headers),
                    Markers.isMarker(headers) ? Markers.snapshotOf(headers) : -1, ChannelHeaders.isFence(headers));
        } catch (IllegalArgumentException e) {
            expected = e.getMessage();
        }
        Object actual;
        try {
            actual = ChannelHeaders.read(headers);
        } catch (IllegalArgumentException e) {
            actual = e.getMessage();
        }
        assertThat(actual).as("%s", list).isEqualTo(expected);
    }

    @Provide
    Arbitrary<List<Header>> headerLists() {
        Arbitrary<String> keys = Arbitraries.of(ChannelHeaders.EPOCH, ChannelHeaders.SEQ, Markers.HEADER,
                ChannelHeaders.FENCE, "kafkasnap-other", "trace-id", "k");
        Arbitrary<byte[]> values = Arbitraries.oneOf(
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(v -> Long.toString(v).getBytes(StandardCharsets.US_ASCII)),
                Arbitraries.of("", "-1", "+5", "x", "12a").map(v -> v.getBytes(StandardCharsets.US_ASCII)),
                Arbitraries.just((byte[]) null));
        return Combinators.combine(keys, values).as((k, v) -> (Header) new RecordHeader(k, v)).list().ofMaxSize(7);
    }
}
