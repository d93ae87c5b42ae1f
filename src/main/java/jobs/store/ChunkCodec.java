package jobs.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
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

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        private final GZIPOutputStream gzip;
        private long lines;
        private long rawBytes;

        public LineEncoder(int level) {
            try {
                gzip = new LeveledGzip(bytes, level);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Appends one object, already one line of JSON. */
        public void append(byte[] line) {
            try {
                gzip.write(line);
                gzip.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lines++;
            rawBytes += line.length + 1;
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
            try {
                gzip.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
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

    /** GZIPOutputStream with a chosen level: its deflater is protected, so a subclass sets it. */
    private static final class LeveledGzip extends GZIPOutputStream {

        LeveledGzip(ByteArrayOutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level);
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
