package io.jrump.kern.file;

/** One entry of a {@code poll(2)} array: the caller sets fd and events, the kernel sets revents. */
public final class PollFd {
    public int fd;
    public int events;
    public int revents;

    public PollFd(int fd, int events) {
        this.fd = fd;
        this.events = events;
    }
}
