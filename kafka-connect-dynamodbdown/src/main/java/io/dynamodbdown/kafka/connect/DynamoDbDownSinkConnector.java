package io.dynamodbdown.kafka.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/** Writes Kafka records into a LevelDB-style database on DynamoDB: key to key, value to value, tombstone to delete. */
public class DynamoDbDownSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new DynamoDbDownSinkConfig(props); // fail fast with every problem named
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DynamoDbDownSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return DynamoDbDownSinkConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return DynamoDbDownConnectorConfig.validate(DynamoDbDownSinkConfig.CONFIG_DEF, super.validate(connectorConfigs),
                DynamoDbDownConnectorConfig::commonProblems);
    }
}
