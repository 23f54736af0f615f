package dev.jameslmtp.it;

import java.nio.file.Path;

import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.BlobStoreDAOContract;
import org.apache.james.blob.api.TestBlobId;
import org.junit.jupiter.api.BeforeEach;

import dev.jameslmtp.demo.WorkDirectory;

/** James's own contract for blob stores, run against {@link FileBlobStoreDAO} on a fresh directory per test. */
class FileBlobStoreDAOTest implements BlobStoreDAOContract {

    private FileBlobStoreDAO blobStore;

    @BeforeEach
    void emptyDirectory() throws Exception {
        Path root = WorkDirectory.of(getClass(), "blobs");
        WorkDirectory.delete(root);
        blobStore = new FileBlobStoreDAO(root, new TestBlobId.Factory());
    }

    @Override
    public BlobStoreDAO testee() {
        return blobStore;
    }
}
