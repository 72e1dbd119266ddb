package io.dynamodbdown.store.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dynamodbdown.store.settings.ClientSettings;
import io.dynamodbdown.store.settings.InvalidSettingsException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The clients' retry strategy spends the settings' budget, the one the store's own loop goes by too. */
class DynamoDbClientsTest {

    @Test
    void theRetryStrategyHasTheSettingsAttempts() {
        ClientSettings settings = ClientSettings.defaults().withMaxAttempts(4).withRetryDelays(Duration.ofMillis(5), Duration.ofSeconds(1));
        assertEquals(4, DynamoDbClients.retryStrategy(settings).maxAttempts());
        assertEquals(settings.retryPolicy().maxAttempts(), DynamoDbClients.retryStrategy(settings).maxAttempts());
    }

    @Test
    void aZeroBaseDelayMeansRetryAtOnce() {
        ClientSettings immediate = ClientSettings.defaults().withRetryDelays(Duration.ZERO, Duration.ZERO);
        assertEquals(10, DynamoDbClients.retryStrategy(immediate).maxAttempts(), "the SDK's exponential backoff refuses a zero base");
    }

    @Test
    void invalidSettingsAreReportedBeforeAnythingIsBuilt() {
        ClientSettings noBase = ClientSettings.defaults().withRetryDelays(null, Duration.ofSeconds(1));
        assertThrows(InvalidSettingsException.class, () -> DynamoDbClients.builder(noBase));
        assertThrows(InvalidSettingsException.class, () -> DynamoDbClients.streamsBuilder(noBase));
    }
}
