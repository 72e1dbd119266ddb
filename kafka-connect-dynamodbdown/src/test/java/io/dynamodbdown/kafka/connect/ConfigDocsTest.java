package io.dynamodbdown.kafka.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dynamodbdown.kafka.connect.ConfigDocs.Connector;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.junit.jupiter.api.Test;

/** The configuration reference: generated from the ConfigDefs, and the README's copy of it up to date. */
class ConfigDocsTest {

    private static final String REGENERATE = "regenerate them with: mvn -B -q -pl kafka-connect-dynamodbdown -am"
            + " process-test-classes -Dconfig.docs.update-readme=true (then review and commit README.md)";

    @Test
    void theReadmeHoldsTheTablesTheConfigDefsGenerate() {
        String readme = Readme.text();
        for (Connector connector : Connector.values()) {
            String tables = ConfigDocs.readmeTables(readme, connector);
            String name = connector.name().toLowerCase(Locale.ROOT);
            assertNotNull(tables, "README.md has lost the markers " + connector.startMarker() + " ... "
                    + connector.endMarker() + " around the " + name + " configuration tables; put them back and "
                    + REGENERATE);
            assertEquals(ConfigDocs.tables(connector.definition()), tables, "README.md's " + name
                    + " configuration tables differ from what its ConfigDef generates; " + REGENERATE);
        }
        assertTrue(Readme.kafkaConnectSection().contains(Connector.SOURCE.endMarker()), "the tables are in the Kafka Connect section");
    }

    @Test
    void everyKeyIsDocumentedWithItsTypeDefaultValidValuesImportanceGroupAndDescription() {
        for (Connector connector : Connector.values()) {
            String tables = ConfigDocs.tables(connector.definition());
            for (ConfigKey key : connector.definition().configKeys().values()) {
                String row = row(tables, key.name);
                String[] cells = row.split(" \\| ");
                assertEquals(key.type.name().toLowerCase(Locale.ROOT), cells[1], row);
                String expectedDefault = !key.hasDefault() ? "*required*" : key.defaultValue == null ? "*none*" : null;
                if (expectedDefault != null) {
                    assertEquals(expectedDefault, cells[2], row);
                } else {
                    assertTrue(cells[2].startsWith("`") && cells[2].endsWith("`") && cells[2].length() > 2, row);
                }
                assertEquals(key.validator == null ? "" : key.validator.toString(), cells[3], row);
                assertEquals(key.importance.name().toLowerCase(Locale.ROOT), cells[4], row);
                assertTrue(row.endsWith(" | " + key.documentation + " |"), row);
                String above = tables.substring(0, tables.indexOf(row));
                String group = above.lines().filter(line -> line.startsWith("**")).reduce((first, second) -> second).orElse("");
                assertEquals("**" + key.group + "**", group, key.name + " under its group");
            }
        }
        String sink = ConfigDocs.tables(DynamoDbDownSinkConfig.CONFIG_DEF);
        assertTrue(row(sink, "table").contains("| *required* |"), row(sink, "table"));
        assertTrue(row(sink, "max.retries").contains("| `10` | [0,...] | low |"), row(sink, "max.retries"));
        assertTrue(row(sink, "table.billing.mode").contains("| `PAY_PER_REQUEST` | [PAY_PER_REQUEST, PROVISIONED] |"),
                row(sink, "table.billing.mode"));
        assertTrue(row(sink, "hash.key").contains("| `!` |"), row(sink, "hash.key"));
        String source = ConfigDocs.tables(DynamoDbDownSourceConfig.CONFIG_DEF);
        assertTrue(row(source, "key.range.splits").contains("| `\"\"` |"), row(source, "key.range.splits"));
        assertTrue(row(source, "topic").contains("| *required* | non-empty string | high |"), row(source, "topic"));
    }

    private static String row(String tables, String key) {
        return tables.lines().filter(line -> line.startsWith("| `" + key + "` |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + key + ":\n" + tables));
    }

    @Test
    void theArchiveDocumentNamesTheConnectorAndHoldsTheTables() {
        String document = Connector.SOURCE.document();
        assertTrue(document.startsWith("# dynamodbdown source connector configuration\n"), document);
        assertTrue(document.contains("`connector.class=" + DynamoDbDownSourceConnector.class.getName() + "`"), document);
        assertTrue(document.endsWith(ConfigDocs.tables(DynamoDbDownSourceConfig.CONFIG_DEF)), document);
    }
}
