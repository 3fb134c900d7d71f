package io.jrump.virtif;

/**
 * A snapshot of a link's counters, what {@code netstat -i} shows for an interface: packets and bytes
 * each way and the frames that went nowhere.
 *
 * @param framesSent frames the link put on its segment
 * @param bytesSent bytes of those frames
 * @param framesReceived frames the link delivered to its receiver
 * @param bytesReceived bytes of those frames
 * @param drops frames dropped: too short or too long, sent after close, arriving with no receiver, or
 *     (for an emulated link) lost or over the queue limit on purpose
 */
public record LinkStats(long framesSent, long bytesSent, long framesReceived, long bytesReceived, long drops) {
}
