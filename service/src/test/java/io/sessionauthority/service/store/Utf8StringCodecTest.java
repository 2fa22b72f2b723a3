package io.sessionauthority.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class Utf8StringCodecTest {

    private static final String[] VALUES = {"", "1765137600000", "sa:{uid}:s:sid", "Zoë's iPhone", "日本語のデバイス", "emoji 🔐 key",
            "x".repeat(511), "y".repeat(512), "z".repeat(513), "é".repeat(400)};

    @Test
    void decodesWhatLettucesCodecDecodesFromDirectAndHeapBuffers() {
        for (String value : VALUES) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            for (ByteBuffer buffer : new ByteBuffer[] {ByteBuffer.wrap(bytes), direct(bytes)}) {
                assertThat(Utf8StringCodec.UTF8.decodeValue(buffer.duplicate())).isEqualTo(value)
                        .isEqualTo(StringCodec.UTF8.decodeValue(buffer.duplicate()));
                assertThat(Utf8StringCodec.UTF8.decodeKey(buffer.duplicate())).isEqualTo(value);
            }
        }
    }

    @Test
    void readsOnlyTheBufferRemainderAndLeavesItsPositionAlone() {
        ByteBuffer buffer = direct("prefix|value|suffix".getBytes(StandardCharsets.UTF_8));
        buffer.position(7).limit(12);
        assertThat(Utf8StringCodec.UTF8.decodeValue(buffer)).isEqualTo("value");
        assertThat(buffer.position()).isEqualTo(7);
        assertThat(buffer.remaining()).isEqualTo(5);
        ByteBuffer heap = ByteBuffer.wrap("prefix|value|suffix".getBytes(StandardCharsets.UTF_8), 7, 5).slice();
        assertThat(Utf8StringCodec.UTF8.decodeValue(heap)).isEqualTo("value");
    }

    @Test
    void decodesMalformedUtf8AsLettucesCodecDoes() {
        byte[] malformed = {'a', (byte) 0xC3, 'b', (byte) 0xFF};
        assertThat(Utf8StringCodec.UTF8.decodeValue(direct(malformed))).isEqualTo(StringCodec.UTF8.decodeValue(direct(malformed)));
    }

    @Test
    void encodesAsLettucesCodecDoes() {
        assertThat(Utf8StringCodec.UTF8.encodeValue("Zoë")).isEqualTo(StringCodec.UTF8.encodeValue("Zoë"));
        assertThat(Utf8StringCodec.UTF8.decodeValue((ByteBuffer) null)).isNull();
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        return buffer;
    }
}
