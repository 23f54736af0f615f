package dev.jameslmtp.mailet.journal;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.api.ObjectStoreIOException;
import org.apache.james.blob.memory.MemoryBlobStoreDAO;
import org.reactivestreams.Publisher;

import com.google.common.io.ByteSource;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James's {@link MemoryBlobStoreDAO}, shared by the "nodes" of a test (each a mailet or journal of
 * its own over this one store), that records each call ({@code read journal.q.id},
 * {@code save heartbeat.q}, {@code list}, {@code delete ...}) and fails every call while
 * {@link #failing} is set, as a store that is down would.
 */
public final class RecordingBlobStore implements BlobStoreDAO {

    public static final BlobId.Factory IDS = new HashBlobId.Factory();

    private final MemoryBlobStoreDAO memory = new MemoryBlobStoreDAO();
    private final List<String> calls = new ArrayList<>();
    public final AtomicBoolean failing = new AtomicBoolean();

    /** The calls made so far on blobs whose name starts with {@code prefix} (the listings for {@code "list"}). */
    public synchronized List<String> calls(String prefix) {
        return calls.stream().filter(call -> call.substring(call.indexOf(' ') + 1).startsWith(prefix) || call.equals(prefix)).toList();
    }

    public synchronized void forget() {
        calls.clear();
    }

    /** The text of the blob {@code name} of the journal bucket, if there is one (not recorded). */
    public Optional<String> text(String name) {
        try {
            return Optional.of(new String(memory.readBytes(BlobJournal.BUCKET, IDS.from(name)).block(), StandardCharsets.UTF_8));
        } catch (ObjectNotFoundException absent) {
            return Optional.empty();
        }
    }

    /** Writes the blob {@code name} of the journal bucket (not recorded). */
    public void put(String name, String text) {
        memory.save(BlobJournal.BUCKET, IDS.from(name), text.getBytes(StandardCharsets.UTF_8)).block();
    }

    private synchronized <T> Publisher<T> call(String what, BlobId blobId, Publisher<T> call) {
        calls.add(blobId == null ? what : what + " " + blobId.asString());
        if (failing.get()) {
            return Mono.error(new ObjectStoreIOException("injected blob store failure"));
        }
        return call;
    }

    @Override
    public InputStream read(BucketName bucketName, BlobId blobId) {
        return Mono.from(readReactive(bucketName, blobId)).block();
    }

    @Override
    public Publisher<InputStream> readReactive(BucketName bucketName, BlobId blobId) {
        return call("read", blobId, memory.readReactive(bucketName, blobId));
    }

    @Override
    public Publisher<byte[]> readBytes(BucketName bucketName, BlobId blobId) {
        return call("read", blobId, memory.readBytes(bucketName, blobId));
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, byte[] data) {
        return call("save", blobId, memory.save(bucketName, blobId, data));
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, InputStream inputStream) {
        return call("save", blobId, memory.save(bucketName, blobId, inputStream));
    }

    @Override
    public Publisher<Void> save(BucketName bucketName, BlobId blobId, ByteSource content) {
        return call("save", blobId, memory.save(bucketName, blobId, content));
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, BlobId blobId) {
        return call("delete", blobId, memory.delete(bucketName, blobId));
    }

    @Override
    public Publisher<Void> delete(BucketName bucketName, Collection<BlobId> blobIds) {
        return Flux.fromIterable(new ArrayList<>(blobIds)).concatMap(blobId -> delete(bucketName, blobId)).then();
    }

    @Override
    public Publisher<Void> deleteBucket(BucketName bucketName) {
        return call("deleteBucket", null, memory.deleteBucket(bucketName));
    }

    @Override
    public Publisher<BucketName> listBuckets() {
        return call("listBuckets", null, memory.listBuckets());
    }

    @Override
    public Publisher<BlobId> listBlobs(BucketName bucketName) {
        return call("list", null, memory.listBlobs(bucketName));
    }
}
