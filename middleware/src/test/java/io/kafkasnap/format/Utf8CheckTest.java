package io.kafkasnap.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@code ValueCodec.isUtf8} judges every byte string as the JDK's strict UTF-8 decoder does. */
class Utf8CheckTest {

    private static boolean decoderSays(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Property(tries = 20_000)
    void agreesWithTheStrictDecoderOnBytesNearUtf8(@ForAll("nearUtf8") byte[] bytes) {
        assertThat(ValueCodec.isUtf8(bytes)).as("%s", java.util.HexFormat.of().formatHex(bytes))
                .isEqualTo(decoderSays(bytes));
    }

    @Property(tries = 2_000)
    void acceptsEveryEncodedString(@ForAll String text) {
        assertThat(ValueCodec.isUtf8(text.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(decoderSays(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void refusesOverlongFormsSurrogatesBeyondTheLastCodePointAndCutSequences() {
        assertThat(ValueCodec.isUtf8(new byte[] {(byte) 0xc0, (byte) 0xaf})).isFalse(); // overlong '/'
        assertThat(ValueCodec.isUtf8(new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf})).isFalse();
        assertThat(ValueCodec.isUtf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).isFalse(); // U+D800
        assertThat(ValueCodec.isUtf8(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80})).isFalse();
        assertThat(ValueCodec.isUtf8(new byte[] {(byte) 0xe2, (byte) 0x82})).isFalse(); // cut euro sign
        assertThat(ValueCodec.isUtf8(new byte[] {(byte) 0xe2, (byte) 0x82, (byte) 0xac})).isTrue(); // euro sign
        assertThat(ValueCodec.isUtf8(new byte[] {(byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80})).isTrue();
        assertThat(ValueCodec.isUtf8(new byte[0])).isTrue();
    }

    /** Mostly lead and continuation bytes at the edges of their ranges, so that most inputs are almost valid. */
    @Provide
    Arbitrary<byte[]> nearUtf8() {
        Arbitrary<Byte> edgy = Arbitraries.of(0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
                0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff).map(i -> (byte) (int) i);
        return Arbitraries.oneOf(edgy, Arbitraries.bytes()).array(byte[].class).ofMaxSize(12);
    }
}
