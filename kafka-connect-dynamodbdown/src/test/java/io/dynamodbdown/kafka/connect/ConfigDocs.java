package io.dynamodbdown.kafka.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * The connectors' configuration reference, generated from their {@link ConfigDef}s: one Markdown table per group
 * (key, type, default, valid values, importance, description). The build writes it into the plugin archive's
 * {@code doc/} ({@code sink-config.md}, {@code source-config.md}), and the README holds the same tables between
 * markers ({@code ConfigDocsTest} fails when they drift).
 *
 * <p>Run by the build as {@code ConfigDocs <output dir> [<README to update> true]}, in {@code process-test-classes}: a
 * build tool, so it lives in the test sources and stays out of the plugin jar.
 */
public final class ConfigDocs {

    /** A connector's reference: its name in the README's markers and file names, its class and its definitions. */
    public enum Connector {
        /** The sink connector, {@link DynamoDbDownSinkConnector}. */
        SINK("sink", DynamoDbDownSinkConnector.class, DynamoDbDownSinkConfig.CONFIG_DEF),
        /** The source connector, {@link DynamoDbDownSourceConnector}. */
        SOURCE("source", DynamoDbDownSourceConnector.class, DynamoDbDownSourceConfig.CONFIG_DEF);

        private final String id;
        private final Class<?> connectorClass;
        private final ConfigDef definition;

        Connector(String id, Class<?> connectorClass, ConfigDef definition) {
            this.id = id;
            this.connectorClass = connectorClass;
            this.definition = definition;
        }

        /** {@return the file the build writes into the archive's {@code doc/}, e.g. {@code sink-config.md}} */
        public String fileName() {
            return id + "-config.md";
        }

        /** {@return the README line that opens the generated tables} */
        public String startMarker() {
            return "<!-- " + id + "-config: generated from " + definitionClass() + ", do not edit -->";
        }

        /** {@return the README line that closes them} */
        public String endMarker() {
            return "<!-- end of " + id + "-config -->";
        }

        /** {@return the connector's configuration definitions} */
        public ConfigDef definition() {
            return definition;
        }

        private String definitionClass() {
            return this == SINK ? DynamoDbDownSinkConfig.class.getSimpleName() : DynamoDbDownSourceConfig.class.getSimpleName();
        }

        /** {@return the archive's document: a title, the connector class, then the tables} */
        public String document() {
            return "# dynamodbdown " + id + " connector configuration\n\n`connector.class=" + connectorClass.getName()
                    + "`, besides the settings every Kafka Connect " + id + " connector has.\n\n" + tables(definition);
        }
    }

    private ConfigDocs() {
    }

    /**
     * Renders definitions as Markdown.
     *
     * @param definition the definitions to render
     * @return one table per group, in the order the groups were defined, keys in their order within the group
     */
    public static String tables(ConfigDef definition) {
        List<String> groups = definition.groups();
        List<ConfigKey> keys = new ArrayList<>(definition.configKeys().values());
        keys.sort(Comparator.<ConfigKey>comparingInt(k -> k.group == null ? Integer.MAX_VALUE : groups.indexOf(k.group))
                .thenComparingInt(k -> k.orderInGroup).thenComparing(k -> k.name));
        StringBuilder out = new StringBuilder();
        String group = null;
        for (ConfigKey key : keys) {
            String keyGroup = key.group == null ? "Other" : key.group;
            if (!keyGroup.equals(group)) {
                if (group != null) {
                    out.append('\n');
                }
                group = keyGroup;
                out.append("**").append(group).append("**\n\n")
                        .append("| Key | Type | Default | Valid values | Importance | Description |\n")
                        .append("|-----|------|---------|--------------|------------|-------------|\n");
            }
            out.append("| `").append(key.name).append("` | ")
                    .append(key.type.name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(defaultValue(key)).append(" | ")
                    .append(key.validator == null ? "" : cell(key.validator.toString())).append(" | ")
                    .append(key.importance.name().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(cell(key.documentation)).append(" |\n");
        }
        return out.toString();
    }

    private static String defaultValue(ConfigKey key) {
        if (!key.hasDefault()) {
            return "*required*";
        }
        if (key.defaultValue == null) {
            return "*none*";
        }
        String text = ConfigDef.convertToString(key.defaultValue, key.type);
        return text.isEmpty() ? "`\"\"`" : "`" + cell(text) + "`";
    }

    /** Text fit for a table cell: no line breaks, no column separators. */
    private static String cell(String text) {
        return text.replace("\r", "").replace("\n", " ").replace("|", "\\|");
    }

    /**
     * Brings the README's configuration tables up to date.
     *
     * @param readme the README's text
     * @return {@code readme} with the text between each connector's markers replaced by its tables now
     * @throws IllegalArgumentException when a connector's markers are missing
     */
    public static String updateReadme(String readme) {
        String updated = readme;
        for (Connector connector : Connector.values()) {
            int start = updated.indexOf(connector.startMarker());
            int end = updated.indexOf(connector.endMarker());
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("The README has no " + connector.startMarker() + " ... "
                        + connector.endMarker() + " block");
            }
            int from = start + connector.startMarker().length();
            updated = updated.substring(0, from) + "\n\n" + tables(connector.definition()) + "\n" + updated.substring(end);
        }
        return updated;
    }

    /**
     * Reads a connector's tables back out of the README.
     *
     * @param readme the README's text
     * @param connector whose markers to look between
     * @return the text between the connector's markers, as {@link #updateReadme} writes it; null without markers
     */
    public static String readmeTables(String readme, Connector connector) {
        int start = readme.indexOf(connector.startMarker());
        int end = readme.indexOf(connector.endMarker());
        if (start < 0 || end < start) {
            return null;
        }
        String between = readme.substring(start + connector.startMarker().length(), end);
        return between.startsWith("\n\n") && between.endsWith("\n") ? between.substring(2, between.length() - 1) : between;
    }

    /**
     * Writes each connector's document into {@code args[0]}; with {@code args[1]} a README and {@code args[2]} true,
     * updates it.
     *
     * @param args the output directory, then optionally the README and whether to update it
     * @throws IOException when a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        for (Connector connector : Connector.values()) {
            Files.writeString(dir.resolve(connector.fileName()), connector.document(), StandardCharsets.UTF_8);
        }
        if (args.length > 2 && Boolean.parseBoolean(args[2].trim())) {
            Path readme = Path.of(args[1]);
            Files.writeString(readme, updateReadme(Files.readString(readme, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            System.out.println("Updated the configuration tables in " + readme.toAbsolutePath().normalize());
        }
    }
}
