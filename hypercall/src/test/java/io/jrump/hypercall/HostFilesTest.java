package io.jrump.hypercall;

import static io.jrump.hypercall.HyperFiles.O_CREATE;
import static io.jrump.hypercall.HyperFiles.O_EXCL;
import static io.jrump.hypercall.HyperFiles.O_RDONLY;
import static io.jrump.hypercall.HyperFiles.O_RDWR;
import static io.jrump.hypercall.HyperFiles.O_TRUNC;
import static io.jrump.hypercall.HyperFiles.O_WRONLY;
import static io.jrump.hypercall.TestSupport.PATIENCE_SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HostFilesTest {
    @TempDir
    Path dir;

    private final HostHypercall hc = HostHypercall.builder().environment(Map.of()).build();
    private final HyperFiles files = hc.files();

    @AfterEach
    void shutdown() {
        hc.shutdown();
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String string(ByteBuffer b) {
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    private static int errnoOf(Runnable r) {
        return assertThrows(HyperError.class, r::run).errno();
    }

    /** Completion of one bio: bytes and errno, plus the thread it ran on. */
    private record Done(int bytes, int errno, Thread thread) {
    }

    private static Done await(CompletableFuture<Done> done) throws Exception {
        return done.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    private static BioDone into(CompletableFuture<Done> f) {
        return (bytes, errno) -> f.complete(new Done(bytes, errno, Thread.currentThread()));
    }

    @Test
    void pwriteThenPreadAtOffsetsAndSize() {
        HyperFile f = files.open(path("disk.img"), O_RDWR | O_CREATE);
        assertEquals(0, f.size());
        assertEquals(5, f.pwrite(bytes("hello"), 0));
        assertEquals(5, f.pwrite(bytes("world"), 10));
        assertEquals(15, f.size(), "a write past the end extends the file");

        ByteBuffer dst = ByteBuffer.allocate(5);
        assertEquals(5, f.pread(dst, 10));
        assertEquals("world", string(dst));

        ByteBuffer hole = ByteBuffer.allocate(5);
        assertEquals(5, f.pread(hole, 5));
        assertArrayEquals(new byte[5], hole.array(), "the gap reads as zeros");

        ByteBuffer tail = ByteBuffer.allocate(10);
        assertEquals(3, f.pread(tail, 12), "a read across end of file returns what is there");
        assertEquals("rld", string(tail));
        assertEquals(0, f.pread(ByteBuffer.allocate(4), 15), "0 at end of file");
        f.sync();
        f.close();
    }

    @Test
    void writesReachTheHostFile() throws IOException {
        HyperFile f = files.open(path("out"), O_WRONLY | O_CREATE);
        f.pwrite(bytes("abc"), 0);
        f.close();
        assertEquals("abc", Files.readString(dir.resolve("out"), StandardCharsets.US_ASCII));
    }

    @Test
    void truncAndNoTrunc() throws IOException {
        Files.writeString(dir.resolve("f"), "0123456789");
        HyperFile keep = files.open(path("f"), O_RDWR);
        assertEquals(10, keep.size());
        keep.close();
        HyperFile trunc = files.open(path("f"), O_RDWR | O_TRUNC);
        assertEquals(0, trunc.size());
        trunc.close();
    }

    @Test
    void createExclusiveOnAnExistingFileIsEexist() throws IOException {
        Files.writeString(dir.resolve("exists"), "x");
        assertEquals(Errno.EEXIST, errnoOf(() -> files.open(path("exists"), O_RDWR | O_CREATE | O_EXCL)));
        assertEquals(Errno.EEXIST, errnoOf(() -> files.open(path("exists"), O_RDONLY | O_CREATE | O_EXCL)),
                "O_CREAT|O_EXCL fails on an existing file whatever the access mode, as open(2) does");
        HyperFile fresh = files.open(path("fresh"), O_RDWR | O_CREATE | O_EXCL);
        fresh.close();
        assertTrue(Files.exists(dir.resolve("fresh")));
    }

    @Test
    void createWithReadOnlyAccessCreatesTheFile() {
        HyperFile f = files.open(path("ro-created"), O_RDONLY | O_CREATE);
        assertEquals(0, f.size());
        f.close();
        assertTrue(Files.isRegularFile(dir.resolve("ro-created")));
    }

    @Test
    void missingFileIsEnoent() {
        assertEquals(Errno.ENOENT, errnoOf(() -> files.open(path("nope"), O_RDONLY)));
        assertEquals(Errno.ENOENT, errnoOf(() -> files.open(path("nope"), O_RDWR)));
        assertEquals(Errno.ENOENT, errnoOf(() -> files.open(path("no/such/dir"), O_RDWR | O_CREATE)));
        assertEquals(Errno.ENOENT, errnoOf(() -> files.getFileInfo(path("nope"))));
        assertEquals(Errno.ENOENT, errnoOf(() -> files.list(path("nope"))));
        HyperError e = assertThrows(HyperError.class, () -> files.open(path("nope"), O_RDONLY));
        assertTrue(e.getMessage().startsWith("ENOENT"), e.getMessage());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void openingADirectoryIsEisdir() {
        assertEquals(Errno.EISDIR, errnoOf(() -> files.open(dir.toString(), O_RDONLY)));
        assertEquals(Errno.EISDIR, errnoOf(() -> files.open(dir.toString(), O_RDWR)));
    }

    @Test
    void badAccessModeIsEinval() {
        assertEquals(Errno.EINVAL, errnoOf(() -> files.open(path("x"), HyperFiles.O_ACCMODE | O_CREATE)));
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void writingAFileOpenedReadOnlyIsEbadf() throws IOException {
        Files.writeString(dir.resolve("ro"), "data");
        HyperFile f = files.open(path("ro"), O_RDONLY);
        assertEquals(Errno.EBADF, errnoOf(() -> f.pwrite(bytes("x"), 0)));
        f.close();
        assertEquals("data", Files.readString(dir.resolve("ro")));
    }

    @Test
    void fileInfoTellsRegularFilesFromDirectories() throws IOException {
        Files.write(dir.resolve("img"), new byte[4096]);
        Files.createDirectory(dir.resolve("sub"));
        FileInfo reg = files.getFileInfo(path("img"));
        assertEquals(FileInfo.Type.REG, reg.type());
        assertEquals(4096, reg.size());
        assertEquals(FileInfo.Type.DIR, files.getFileInfo(path("sub")).type());
    }

    @Test
    void listIsSorted() throws IOException {
        for (String n : List.of("zeta", "alpha", "mid", "Beta")) {
            Files.writeString(dir.resolve(n), n);
        }
        Files.createDirectory(dir.resolve("dir"));
        assertEquals(List.of("Beta", "alpha", "dir", "mid", "zeta"), files.list(dir.toString()));
        assertEquals(List.of(), files.list(path("dir")));
    }

    @Test
    void listOfAFileIsEnotdir() throws IOException {
        Files.writeString(dir.resolve("plain"), "x");
        assertEquals(Errno.ENOTDIR, errnoOf(() -> files.list(path("plain"))));
    }

    @Test
    void bioWriteThenBioReadComplete() throws Exception {
        HyperFile f = files.open(path("blk"), O_RDWR | O_CREATE);
        CompletableFuture<Done> wrote = new CompletableFuture<>();
        f.bio(HyperFile.BIO_WRITE, bytes("block-data"), 512, into(wrote));
        Done w = await(wrote);
        assertEquals(10, w.bytes());
        assertEquals(0, w.errno());
        assertNotEquals(Thread.currentThread(), w.thread(), "completion comes from a host I/O thread");
        assertEquals(522, f.size());

        ByteBuffer dst = ByteBuffer.allocate(10);
        CompletableFuture<Done> read = new CompletableFuture<>();
        f.bio(HyperFile.BIO_READ, dst, 512, into(read));
        Done r = await(read);
        assertEquals(10, r.bytes());
        assertEquals(0, r.errno());
        assertEquals("block-data", string(dst));
        f.close();
    }

    @Test
    void bioSyncWriteIsOnTheHostFileWhenDoneRuns() throws Exception {
        HyperFile f = files.open(path("synced"), O_RDWR | O_CREATE);
        CompletableFuture<String> seenOnDisk = new CompletableFuture<>();
        f.bio(HyperFile.BIO_WRITE | HyperFile.BIO_SYNC, bytes("durable"), 0, (bytes, errno) -> {
            try {
                seenOnDisk.complete(bytes + "/" + errno + "/" + Files.readString(dir.resolve("synced")));
            } catch (IOException e) {
                seenOnDisk.completeExceptionally(e);
            }
        });
        assertEquals("7/0/durable", seenOnDisk.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        f.close();
    }

    @Test
    void biosCompleteInSubmissionOrder() throws Exception {
        HyperFile f = files.open(path("ordered"), O_RDWR | O_CREATE);
        CompletableFuture<Done> first = new CompletableFuture<>();
        CompletableFuture<Done> second = new CompletableFuture<>();
        f.bio(HyperFile.BIO_WRITE, bytes("AAAA"), 0, into(first));
        f.bio(HyperFile.BIO_WRITE, bytes("BB"), 1, into(second));
        assertEquals(0, await(first).errno());
        assertEquals(0, await(second).errno());
        ByteBuffer dst = ByteBuffer.allocate(4);
        f.pread(dst, 0);
        assertEquals("ABBA", string(dst));
        f.close();
    }

    @Test
    void bioOnAClosedFileReportsAnErrnoThroughTheCallback() throws Exception {
        HyperFile f = files.open(path("gone"), O_RDWR | O_CREATE);
        f.pwrite(bytes("data"), 0);
        f.close();
        CompletableFuture<Done> read = new CompletableFuture<>();
        f.bio(HyperFile.BIO_READ, ByteBuffer.allocate(4), 0, into(read)); // must not throw
        Done r = await(read);
        assertEquals(Errno.EBADF, r.errno(), Errno.name(r.errno()));
        assertEquals(0, r.bytes());

        CompletableFuture<Done> wrote = new CompletableFuture<>();
        f.bio(HyperFile.BIO_WRITE, bytes("x"), 0, into(wrote));
        assertEquals(Errno.EBADF, await(wrote).errno());
        assertEquals(Errno.EBADF, errnoOf(f::size), "synchronous calls on a closed file fail the same way");
    }

    @Test
    void shutdownEndsTheBioThreadAfterQueuedRequests() throws Exception {
        HyperFile f = files.open(path("s"), O_RDWR | O_CREATE);
        CompletableFuture<Done> done = new CompletableFuture<>();
        f.bio(HyperFile.BIO_WRITE, bytes("x"), 0, into(done));
        String bioThread = await(done).thread().getName();
        assertTrue(hc.threads().liveThreadNames().contains(bioThread), hc.threads().liveThreadNames().toString());

        CompletableFuture<Done> queued = new CompletableFuture<>();
        f.bio(HyperFile.BIO_WRITE, bytes("y"), 1, into(queued));
        hc.shutdown();
        assertTrue(queued.isDone(), "a request queued before shutdown completed before the thread ended");
        assertFalse(hc.threads().liveThreadNames().contains(bioThread), hc.threads().liveThreadNames().toString());
        assertTrue(hc.threads().liveThreadNames().isEmpty(), hc.threads().liveThreadNames().toString());

        f.close();
    }
}
