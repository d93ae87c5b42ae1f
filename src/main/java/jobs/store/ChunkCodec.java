package jobs.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import jobs.support.Json;

/**
 * The chunk format: gzip-compressed JSON Lines, one whole API object per line, exactly as the API server returned
 * it (with apiVersion and kind). Readable with {@code zcat | jq}.
 */
public final class ChunkCodec {

    private static final ObjectMapper MAPPER = Json.mapper();

    private ChunkCodec() {
    }

    /** Encodes at gzip's default level, for small blobs (restore results) where speed does not matter. */
    public static byte[] encode(List<?> objects) {
        return encode(objects, Deflater.DEFAULT_COMPRESSION);
    }

    /** Encodes at {@code level} (1 fastest to 9 smallest; -1 for gzip's default, 6). */
    public static byte[] encode(List<?> objects, int level) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(objects.size() * 512 + 64);
        try (GZIPOutputStream gzip = new LeveledGzip(bytes, level);
             JsonGenerator generator = MAPPER.getFactory().createGenerator(gzip)) {
            generator.setRootValueSeparator(null);
            for (Object object : objects) {
                MAPPER.writeValue(generator, object);
                generator.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Encodes objects already in JSON, one line each, at {@code level}. */
    public static byte[] encodeLines(List<byte[]> lines, int level) {
        LineEncoder encoder = new LineEncoder(level);
        lines.forEach(encoder::append);
        return encoder.finish();
    }

    /**
     * Encodes JSON lines one at a time as they come, so that only the compressed bytes are kept: a chunk of 8 MB of
     * objects is never held uncompressed as well.
     */
    public static final class LineEncoder {

        /** Room kept free for one round of the compressor's output. */
        private static final int OUTPUT_ROOM = 64 * 1024;
        /** gzip's header with no name, time or flags, as {@link GZIPOutputStream} writes it. */
        private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};

        private final PackBuffer out;
        private final ByteBuffer staging;
        /**
         * What the deflater is given once it has consumed the staged bytes: an empty direct buffer, since the deflater
         * holds a heap array in a JNI critical section while it runs, empty or not, and the final block is compressed
         * with this as its input.
         */
        private final ByteBuffer nothing;
        private final Deflater deflater;
        private final CRC32 crc = new CRC32();
        private long lines;
        private long rawBytes;

        public LineEncoder(int level) {
            this(level, PackBuffer.heap(64 * 1024));
        }

        /** Encodes into {@code target}, which is emptied first. */
        public LineEncoder(int level, PackBuffer target) {
            out = target;
            out.reset();
            staging = out.staging();
            nothing = staging.slice(0, 0);
            deflater = new Deflater(level, true);
            out.room(HEADER.length).put(HEADER);
        }

        /** Appends one object, already one line of JSON. */
        public void append(byte[] line) {
            crc.update(line);
            int offset = 0;
            while (offset < line.length) {
                if (!staging.hasRemaining()) {
                    drain();
                }
                int n = Math.min(line.length - offset, staging.remaining());
                staging.put(line, offset, n);
                offset += n;
            }
            crc.update('\n');
            if (!staging.hasRemaining()) {
                drain();
            }
            staging.put((byte) '\n');
            lines++;
            rawBytes += line.length + 1;
        }

        /** Compresses what is staged. */
        private void drain() {
            staging.flip();
            deflater.setInput(staging);
            while (!deflater.needsInput()) {
                deflater.deflate(out.room(OUTPUT_ROOM), Deflater.NO_FLUSH);
            }
            // The deflater reads its input buffer from position to limit whenever it runs: detach it before reuse.
            deflater.setInput(nothing);
            staging.clear();
        }

        public long lines() {
            return lines;
        }

        /** Uncompressed bytes appended so far. */
        public long rawBytes() {
            return rawBytes;
        }

        /** Ends the stream and returns the encoded chunk. */
        public byte[] finish() {
            finishInPlace();
            return out.toByteArray();
        }

        /** Ends the stream and returns the encoded chunk where it was encoded, without a copy. */
        public ByteBuffer finishInPlace() {
            drain();
            deflater.finish();
            while (!deflater.finished()) {
                deflater.deflate(out.room(OUTPUT_ROOM), Deflater.NO_FLUSH);
            }
            deflater.end();
            out.room(8).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).putInt((int) rawBytes)
                    .order(ByteOrder.BIG_ENDIAN);
            return out.contents();
        }
    }

    /** Decodes a chunk; the iterator reads lazily so a chunk is never held twice in memory. */
    public static MappingIterator<JsonNode> decode(byte[] chunk) {
        try {
            return MAPPER.readerFor(JsonNode.class).readValues(new GZIPInputStream(new ByteArrayInputStream(chunk)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of a chunk, read lazily; closing it releases the decompressor. */
    public interface Objects extends Iterator<JsonNode>, AutoCloseable {

        @Override
        void close();
    }

    /**
     * Decodes the lines of a chunk that {@code ranges} name (pairs of from and to line numbers; null for all): the
     * others are skipped as bytes, never parsed.
     *
     * @param damaged the exception for a chunk that cannot be decoded
     */
    public static Objects decode(byte[] chunk, List<Integer> ranges, Supplier<? extends RuntimeException> damaged) {
        try {
            return new LineObjects(new GZIPInputStream(new ByteArrayInputStream(chunk), 64 * 1024), ranges, damaged);
        } catch (IOException e) {
            throw withCause(damaged.get(), e);
        }
    }

    private static RuntimeException withCause(RuntimeException failure, Exception cause) {
        failure.initCause(cause);
        return failure;
    }

    /** Splits the decompressed stream at newlines, which JSON Lines never hold inside an object. */
    private static final class LineObjects implements Objects {

        private final InputStream in;
        private final List<Integer> ranges;
        private final Supplier<? extends RuntimeException> damaged;
        private final byte[] buffer = new byte[64 * 1024];
        private int position;
        private int limit;
        private byte[] line = new byte[8192];
        private int length;
        private int lineNumber = -1;
        private int range;
        private JsonNode next;
        private boolean ended;

        LineObjects(InputStream in, List<Integer> ranges, Supplier<? extends RuntimeException> damaged) {
            this.in = in;
            this.ranges = ranges;
            this.damaged = damaged;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null && !ended) {
                    if (ranges != null && range >= ranges.size()) {
                        ended = true;
                        break;
                    }
                    boolean wanted = wanted(lineNumber + 1);
                    if (!readLine(wanted)) {
                        ended = true;
                        if (ranges != null && range < ranges.size()) {
                            throw damaged.get(); // fewer lines than the manifest names
                        }
                        break;
                    }
                    lineNumber++;
                    if (wanted) {
                        next = MAPPER.readTree(line, 0, length);
                    }
                }
            } catch (IOException e) {
                throw withCause(damaged.get(), e);
            }
            return next != null;
        }

        private boolean wanted(int number) {
            if (ranges == null) {
                return true;
            }
            while (range < ranges.size() && number >= ranges.get(range + 1)) {
                range += 2;
            }
            return range < ranges.size() && number >= ranges.get(range);
        }

        /** Reads one line; keeps its bytes only when {@code keep}. Returns false at the end of the stream. */
        private boolean readLine(boolean keep) throws IOException {
            length = 0;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer, 0, buffer.length);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return any;
                    }
                }
                any = true;
                int end = position;
                while (end < limit && buffer[end] != '\n') {
                    end++;
                }
                if (keep) {
                    int n = end - position;
                    if (length + n > line.length) {
                        line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
                    }
                    System.arraycopy(buffer, position, line, length, n);
                    length += n;
                }
                if (end < limit) {
                    position = end + 1;
                    return true;
                }
                position = limit;
            }
        }

        @Override
        public JsonNode next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            JsonNode result = next;
            next = null;
            return result;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** GZIPOutputStream with a chosen level: its deflater is protected, so a subclass sets it. */
    private static final class LeveledGzip extends GZIPOutputStream {

        LeveledGzip(ByteArrayOutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level);
        }
    }

    /** The SHA-256 of a buffer's remaining bytes, which it leaves unread. */
    public static String sha256(ByteBuffer content) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(content.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
