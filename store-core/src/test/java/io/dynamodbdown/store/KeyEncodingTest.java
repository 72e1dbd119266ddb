package io.dynamodbdown.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyEncodingTest {

    private static final byte[] BYTES = {0x00, (byte) 0xff, 0x41};

    @Test
    void eachEncodingRoundTrips() {
        // hex and base64 carry any bytes; utf8 only text (0xff is not UTF-8)
        assertArrayEquals(BYTES, KeyEncoding.HEX.decode(KeyEncoding.HEX.encode(BYTES)));
        assertArrayEquals(BYTES, KeyEncoding.BASE64.decode(KeyEncoding.BASE64.encode(BYTES)));
        assertArrayEquals(Bytes.utf8("ключ"), KeyEncoding.UTF8.decode(KeyEncoding.UTF8.encode(Bytes.utf8("ключ"))));
        assertArrayEquals(new byte[] {0x00, (byte) 0xff, 0x41}, KeyEncoding.HEX.decode("00ff41"));
        assertArrayEquals(BYTES, KeyEncoding.BASE64.decode("AP9B"));
        assertArrayEquals(Bytes.utf8("é"), KeyEncoding.UTF8.decode("é"));
    }

    @Test
    void namesParseInAnyCase() {
        assertEquals(KeyEncoding.UTF8, KeyEncoding.parse("utf8"));
        assertEquals(KeyEncoding.UTF8, KeyEncoding.parse("UTF-8"));
        assertEquals(KeyEncoding.HEX, KeyEncoding.parse("Hex"));
        assertEquals(KeyEncoding.BASE64, KeyEncoding.parse("base64"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyEncoding.parse("rot13"));
        assertTrue(e.getMessage().contains("utf8, hex or base64"), e.getMessage());
    }

    @Test
    void invalidTextSaysWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyEncoding.HEX.decode("0g"));
        assertTrue(e.getMessage().contains("'0g' is not valid hex"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyEncoding.BASE64.decode("***"));
    }
}
