package io.dynamodbdown.store;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/** Byte helpers shared by the store and its adapters: LevelDB's key order and readable key names for errors. */
public final class Bytes {

    private static final int DESCRIBE_MAX_CHARS = 64;

    private Bytes() {
    }

    /**
     * LevelDB's bytewise order: lexicographic over unsigned bytes, a prefix before its extensions.
     *
     * @param a one key
     * @param b the other key
     * @return negative when {@code a} sorts before {@code b}, 0 when they are equal, positive when after
     */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /**
     * The UTF-8 bytes of a string. A string with an unpaired surrogate has no UTF-8 form: Java would write '?'
     * in its place, so two different keys would become one. Such a string is refused, naming where it breaks.
     *
     * @param s the string, not null
     * @return its UTF-8 bytes, a new array
     * @throws InvalidEntryException when {@code s} has an unpaired surrogate
     */
    public static byte[] utf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                String before = s.substring(Math.max(0, i - DESCRIBE_MAX_CHARS / 2), i);
                throw new InvalidEntryException(null, "The string " + (i > DESCRIBE_MAX_CHARS / 2 ? "\"..." : "\"") + before
                        + "\"... has an unpaired surrogate U+" + Integer.toHexString(c).toUpperCase(Locale.ROOT)
                        + " at index " + i + ": it has no UTF-8 form (Java would write '?' instead, making it equal to other"
                        + " strings). Fix the string, or give the bytes you mean");
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes UTF-8 strictly, without replacing anything.
     *
     * @param bytes the bytes to decode
     * @return the text, or {@code null} when the bytes are not valid UTF-8
     */
    public static String strictUtf8OrNull(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * A short, printable name for a key in messages: the quoted string when the bytes are printable
     * UTF-8, hex otherwise, cut after a few dozen characters with the full length noted.
     *
     * @param key the key (or value) to name; may be null
     * @return e.g. {@code "user:1"} or {@code 0x00ff}, and {@code null} for null
     */
    public static String describe(byte[] key) {
        if (key == null) {
            return "null";
        }
        String text = strictUtf8OrNull(key);
        if (text != null && text.codePoints().noneMatch(Character::isISOControl)) {
            return text.length() <= DESCRIBE_MAX_CHARS
                    ? '"' + text + '"'
                    : '"' + text.substring(0, DESCRIBE_MAX_CHARS) + "\"... (" + key.length + " bytes)";
        }
        int shown = Math.min(key.length, DESCRIBE_MAX_CHARS / 2);
        String hex = "0x" + HexFormat.of().formatHex(key, 0, shown);
        return shown == key.length ? hex : hex + "... (" + key.length + " bytes)";
    }
}
