package io.sessionauthority.service.store;

import io.lettuce.core.codec.StringCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Lettuce's UTF-8 string codec, decoding replies without a Netty buffer per value.
 *
 * <p>{@link StringCodec} wraps every value of a reply in a {@code ByteBuf} (a slice of the NIO
 * buffer, the {@code ByteBuf} and its reference count) only to decode it. For Validate's read, a
 * session hash and three user fields, those wrappers were a tenth of all a Validate from Redis
 * allocated (JFR allocation samples, docs/PERFORMANCE.md). The bytes are read here straight from
 * the NIO buffer, without moving its position, and decoded as UTF-8 exactly as before; encoding is
 * {@link StringCodec}'s.
 */
public final class Utf8StringCodec extends StringCodec {

    /** The one instance: it keeps no state. */
    public static final Utf8StringCodec UTF8 = new Utf8StringCodec();

    /** Values up to this size are copied through a per-thread scratch array, not a new one. */
    private static final int SCRATCH = 512;

    private static final ThreadLocal<byte[]> SCRATCH_BYTES = ThreadLocal.withInitial(() -> new byte[SCRATCH]);

    private Utf8StringCodec() {
        super(StandardCharsets.UTF_8);
    }

    @Override
    public String decodeKey(ByteBuffer bytes) {
        return decode(bytes);
    }

    @Override
    public String decodeValue(ByteBuffer bytes) {
        return decode(bytes);
    }

    static String decode(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        int length = bytes.remaining();
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + bytes.position(), length, StandardCharsets.UTF_8);
        }
        byte[] copy = length <= SCRATCH ? SCRATCH_BYTES.get() : new byte[length];
        bytes.get(bytes.position(), copy, 0, length);
        return new String(copy, 0, length, StandardCharsets.UTF_8);
    }
}
