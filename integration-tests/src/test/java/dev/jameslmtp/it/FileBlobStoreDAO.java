package dev.jameslmtp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BucketName;
import org.apache.james.blob.api.ObjectNotFoundException;
import org.apache.james.blob.api.ObjectStoreIOException;

import com.google.common.io.ByteSource;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * James's blob storage in plain files, so that James JVMs on one RabbitMQ share the mails' contents
 * as the distributed James shares its object store: a directory per bucket under the root, a file
 * per blob. Names are URL-encoded ({@code .} too, so no name is {@code .} or {@code ..}; James's
 * hash blob ids are Base64 with {@code /}). A save writes a temporary file (its name starts with
 * a dot) and renames it over the blob atomically, so a reader in another JVM sees the whole blob
 * or none. File work runs on Reactor's bounded-elastic threads. Only for tests: nothing is ever
 * fsynced.
 */
final class FileBlobStoreDAO implements BlobStoreDAO {

    private final Path root;
    private final BlobId.Factory blobIds;

    FileBlobStoreDAO(Path root, BlobId.Factory blobIds) {
        this.root = root.toAbsolutePath();
        this.blobIds = blobIds;
    }

    @Override
    public InputStream read(BucketName bucket, BlobId blobId) {
        return readReactive(bucket, blobId).block();
    }

    @Override
    public Mono<InputStream> readReactive(BucketName bucket, BlobId blobId) {
        return io(() -> Files.newInputStream(file(bucket, blobId)), bucket, blobId);
    }

    @Override
    public Mono<byte[]> readBytes(BucketName bucket, BlobId blobId) {
        return io(() -> Files.readAllBytes(file(bucket, blobId)), bucket, blobId);
    }

    @Override
    public Mono<Void> save(BucketName bucket, BlobId blobId, byte[] data) {
        return save(bucket, blobId, ByteSource.wrap(data));
    }

    @Override
    public Mono<Void> save(BucketName bucket, BlobId blobId, InputStream content) {
        return write(bucket, blobId, out -> content.transferTo(out));
    }

    @Override
    public Mono<Void> save(BucketName bucket, BlobId blobId, ByteSource content) {
        return write(bucket, blobId, content::copyTo);
    }

    @Override
    public Mono<Void> delete(BucketName bucket, BlobId blobId) {
        return io(() -> Files.deleteIfExists(file(bucket, blobId)), bucket, blobId).then();
    }

    @Override
    public Mono<Void> delete(BucketName bucket, Collection<BlobId> blobIds) {
        return Flux.fromIterable(blobIds).concatMap(blobId -> delete(bucket, blobId)).then();
    }

    @Override
    public Mono<Void> deleteBucket(BucketName bucket) {
        return io(() -> {
            Path dir = directory(bucket);
            if (Files.exists(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(path);
                    }
                }
            }
            return dir;
        }, bucket, null).then();
    }

    @Override
    public Flux<BucketName> listBuckets() {
        return names(root).map(BucketName::of);
    }

    @Override
    public Flux<BlobId> listBlobs(BucketName bucket) {
        return names(directory(bucket)).map(blobIds::from);
    }

    /** Writes through a temporary file renamed over the blob. */
    private Mono<Void> write(BucketName bucket, BlobId blobId, ContentWriter writer) {
        return io(() -> {
            Path target = file(bucket, blobId);
            Files.createDirectories(target.getParent());
            Path temporary = target.resolveSibling(".tmp-" + UUID.randomUUID());
            try (OutputStream out = Files.newOutputStream(temporary)) {
                writer.writeTo(out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temporary);
                throw e;
            }
            return Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }, bucket, blobId).then();
    }

    /** The decoded names in a directory, temporary files left out; none if it does not exist. */
    private Flux<String> names(Path dir) {
        return Flux.defer(() -> {
            if (!Files.isDirectory(dir)) {
                return Flux.empty();
            }
            try (Stream<Path> entries = Files.list(dir)) {
                List<String> names = entries.map(path -> path.getFileName().toString())
                        .filter(name -> !name.startsWith("."))
                        .map(name -> URLDecoder.decode(name, StandardCharsets.UTF_8))
                        .toList();
                return Flux.fromIterable(names);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** File work on a bounded-elastic thread; a missing file is James's ObjectNotFoundException. */
    private static <T> Mono<T> io(Callable<T> work, BucketName bucket, BlobId blobId) {
        String what = "blob '" + (blobId == null ? "*" : blobId.asString()) + "' in bucket '" + bucket.asString() + "'";
        return Mono.fromCallable(work)
                .onErrorMap(NoSuchFileException.class, e -> new ObjectNotFoundException(what + " not found", e))
                .onErrorMap(e -> e instanceof IOException, e -> new ObjectStoreIOException("cannot access " + what, e))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private Path directory(BucketName bucket) {
        return root.resolve(fileName(bucket.asString()));
    }

    private Path file(BucketName bucket, BlobId blobId) {
        return directory(bucket).resolve(fileName(blobId.asString()));
    }

    private static String fileName(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace(".", "%2E");
    }

    /** Writes a blob's content. */
    @FunctionalInterface
    private interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }
}
