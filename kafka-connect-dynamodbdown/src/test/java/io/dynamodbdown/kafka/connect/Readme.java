package io.dynamodbdown.kafka.connect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The project's README.md, as the tests that keep it honest read it. */
final class Readme {

    static final String KAFKA_CONNECT_HEADING = "## Kafka Connect connectors";

    private static final Pattern JSON_BLOCK = Pattern.compile("^```json\\s*\\n(.*?)^```\\s*$", Pattern.DOTALL | Pattern.MULTILINE);

    private Readme() {
    }

    /** The README of the project root: tests run in the module's folder, or in the root. */
    static Path path() {
        for (Path candidate : List.of(Path.of("..", "README.md"), Path.of("README.md"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new AssertionError("no README.md in " + Path.of("").toAbsolutePath() + " or its parent");
    }

    static String text() {
        try {
            return Files.readString(path(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From the Kafka Connect heading to the next second-level heading. */
    static String kafkaConnectSection() {
        String text = text();
        int start = text.indexOf("\n" + KAFKA_CONNECT_HEADING + "\n");
        if (start < 0) {
            throw new AssertionError("README.md has no '" + KAFKA_CONNECT_HEADING + "' section");
        }
        int end = text.indexOf("\n## ", start + 1);
        return end < 0 ? text.substring(start) : text.substring(start, end);
    }

    /** The contents of the fenced ```json blocks of {@code markdown}, in order. */
    static List<String> jsonBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher matcher = JSON_BLOCK.matcher(markdown);
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        return blocks;
    }
}
