package io.dynamodbdown.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/** How a key given as text is turned into bytes: range bounds in URIs and connector configs. */
public enum KeyEncoding {
    /** The text's UTF-8 bytes (the default). */
    UTF8,
    /** Hexadecimal digits, two per byte: {@code 00ff10}. */
    HEX,
    /** Standard Base64 with padding. */
    BASE64;

    /**
     * {@return the bytes {@code text} stands for in this encoding}
     *
     * @param text UTF-8 text, hex digits or Base64, as this encoding reads
     * @throws IllegalArgumentException when {@code text} is not valid in this encoding
     */
    public byte[] decode(String text) {
        try {
            return switch (this) {
                case UTF8 -> Bytes.utf8(text);
                case HEX -> HexFormat.of().parseHex(text);
                case BASE64 -> Base64.getDecoder().decode(text);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not valid " + name().toLowerCase(Locale.ROOT)
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@return {@code key} as text in this encoding; {@link #decode} reads it back, except for UTF-8 of bytes
     * that are not valid UTF-8 (those become U+FFFD)}
     *
     * @param key the bytes to encode
     */
    public String encode(byte[] key) {
        return switch (this) {
            case UTF8 -> new String(key, StandardCharsets.UTF_8);
            case HEX -> HexFormat.of().formatHex(key);
            case BASE64 -> Base64.getEncoder().encodeToString(key);
        };
    }

    /**
     * {@return the encoding named {@code name}}
     *
     * @param name {@code utf8} (or {@code utf-8}), {@code hex} or {@code base64}, in any case
     * @throws IllegalArgumentException for any other name
     */
    public static KeyEncoding parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace("-", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown key encoding '" + name + "': use utf8, hex or base64", e);
        }
    }
}
