package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void ipv4ParseAndFormatRoundTrip() {
        assertEquals(0xc612_0001, Ipv4Address.parse("198.18.0.1"));
        assertEquals("198.18.0.1", Ipv4Address.format(0xc612_0001));
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
        assertEquals(-1, Ipv4Address.parse("255.255.255.255"));
        assertEquals("255.255.255.255", Ipv4Address.of(-1).toString());
        assertEquals(Ipv4Address.of("10.1.2.3"), Ipv4Address.of(0x0a01_0203));
    }

    @Test
    void ipv4ParseRejectsAmbiguousOrMalformedText() {
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1..2.3", ".1.2.3",
            "1.2.3.4.", "1.2.3.a", " 1.2.3.4", "0x1.2.3.4", "1.2.3.-4", "00.0.0.0", "1.2.3.4444"}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        }
    }

    @Test
    void ipv4ReadWrite() {
        byte[] b = new byte[6];
        Ipv4Address.write(b, 1, 0xc0a8_0001);
        assertArrayEquals(Hex.bytes("00 c0a80001 00"), b);
        assertEquals(0xc0a8_0001, Ipv4Address.read(b, 1));
        assertEquals(Ipv4Address.of("192.168.0.1"), Ipv4Address.of(b, 1));
    }

    @Test
    void ipv4PrefixAndNetmask() {
        assertEquals(0, Ipv4Address.netmask(0));
        assertEquals(0xffff_ff00, Ipv4Address.netmask(24));
        assertEquals(-1, Ipv4Address.netmask(32));
        for (int p = 0; p <= 32; p++) {
            assertEquals(p, Ipv4Address.prefixLength(Ipv4Address.netmask(p)));
        }
        assertEquals(-1, Ipv4Address.prefixLength(0xff00_ff00));
        assertFalse(Ipv4Address.isNetmask(0x0000_00ff));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.netmask(33));
        int a = Ipv4Address.parse("198.18.0.77");
        assertEquals(Ipv4Address.parse("198.18.0.0"), Ipv4Address.network(a, 24));
        assertTrue(Ipv4Address.inSubnet(a, Ipv4Address.parse("198.18.0.0"), 15));
        assertTrue(Ipv4Address.inSubnet(Ipv4Address.parse("198.19.255.1"), Ipv4Address.parse("198.18.0.0"), 15));
        assertFalse(Ipv4Address.inSubnet(Ipv4Address.parse("198.20.0.1"), Ipv4Address.parse("198.18.0.0"), 15));
        assertEquals(Ipv4Address.parse("198.18.0.255"), Ipv4Address.directedBroadcast(a, 24));
    }

    @Test
    void ipv4Classification() {
        assertTrue(Ipv4Address.BROADCAST.isBroadcast());
        assertFalse(Ipv4Address.of("198.18.0.255").isBroadcast());
        assertTrue(Ipv4Address.of("224.0.0.1").isMulticast());
        assertTrue(Ipv4Address.of("239.255.255.255").isMulticast());
        assertFalse(Ipv4Address.of("240.0.0.1").isMulticast());
        assertFalse(Ipv4Address.of("223.255.255.255").isMulticast());
        assertTrue(Ipv4Address.LOOPBACK.isLoopback());
        assertTrue(Ipv4Address.of("127.255.0.9").isLoopback());
        assertFalse(Ipv4Address.of("128.0.0.1").isLoopback());
        assertTrue(Ipv4Address.UNSPECIFIED.isUnspecified());
        assertTrue(Ipv4Address.of("169.254.3.4").isLinkLocal());
        assertTrue(Ipv4Address.of("10.0.0.1").compareTo(Ipv4Address.of("200.0.0.1")) < 0, "unsigned order");
    }

    @Test
    void macParseFormatAndClassify() {
        assertEquals(Golden.MAC_A, MacAddress.parse("36:e4:8f:cd:4c:a6"));
        assertEquals(Golden.MAC_A, MacAddress.parse("36-E4-8F-CD-4C-A6"));
        assertEquals("96:60:60:74:2b:28", MacAddress.format(Golden.MAC_B));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
        assertTrue(MacAddress.BROADCAST.isBroadcast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.of("01:00:5e:00:00:fb").isMulticast());
        assertTrue(MacAddress.of(Golden.MAC_A).isUnicast());
        assertTrue(MacAddress.of(Golden.MAC_A).isLocallyAdministered(), "veth addresses are random, locally administered");
        assertFalse(MacAddress.of("00:1b:21:3a:4f:5c").isLocallyAdministered());
        for (String bad : new String[] {"", "36:e4:8f:cd:4c", "36:e4:8f:cd:4c:a6:00", "36:e4-8f:cd:4c:a6",
            "36:e4:8f:cd:4c:g6", "36.e4.8f.cd.4c.a6", "+36:e4:8f:cd:4c:a"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }

    @Test
    void macReadWrite() {
        byte[] b = new byte[8];
        MacAddress.write(b, 1, Golden.MAC_B);
        assertArrayEquals(Hex.bytes("00 966060742b28 00"), b);
        assertEquals(Golden.MAC_B, MacAddress.read(b, 1));
        assertEquals(MacAddress.of(Golden.MAC_B), MacAddress.of(b, 1));
    }

    @Test
    void constantNames() {
        assertEquals("ARP", EtherType.name(EtherType.ARP));
        assertEquals("0x88cc", EtherType.name(0x88cc));
        assertFalse(EtherType.isType(1500));
        assertEquals("TCP", IpProtocol.name(IpProtocol.TCP));
        assertEquals("132", IpProtocol.name(132));
        assertEquals("SYN|ACK", TcpFlags.toString(TcpFlags.SYN | TcpFlags.ACK));
        assertEquals("none", TcpFlags.toString(0));
        assertTrue(IcmpType.isError(IcmpType.DESTINATION_UNREACHABLE));
        assertFalse(IcmpType.isError(IcmpType.ECHO_REQUEST));
    }
}
