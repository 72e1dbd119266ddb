package io.dynamodbdown.camel;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** The part of the producer's and the consumer's health checks that asks DynamoDB about the endpoint's table. */
final class TableHealth {

    /** Result detail: the endpoint's table. */
    static final String TABLE_NAME = "table.name";
    /** Result detail: the table's status as DescribeTable gave it. */
    static final String TABLE_STATUS = "table.status";

    private TableHealth() {
    }

    /**
     * Asks for the endpoint's table through the endpoint's own client (its region, endpoint, credentials and
     * retries). Marks the builder DOWN, with a message naming the table, and returns false when the endpoint is not
     * started, the table does not answer, does not exist or does not serve requests (CREATING, DELETING,
     * ARCHIVED...); otherwise changes nothing but details. UPDATING is up: DynamoDB serves reads and writes then.
     */
    static boolean isServing(DynamoDbDownEndpoint endpoint, HealthCheckResultBuilder builder) {
        String table = endpoint.getTableName();
        builder.detail(TABLE_NAME, table);
        DynamoDbClient client = endpoint.client();
        if (client == null) {
            builder.message("Table " + table + " not checked: its endpoint is not started").down();
            return false;
        }
        try {
            TableStatus status = client.describeTable(b -> b.tableName(table)).table().tableStatus();
            builder.detail(TABLE_STATUS, String.valueOf(status));
            if (status != TableStatus.ACTIVE && status != TableStatus.UPDATING) {
                builder.message("Table " + table + " is " + status + ", not ACTIVE").down();
                return false;
            }
            return true;
        } catch (ResourceNotFoundException e) {
            serviceDetails(builder, e).message("Table " + table + " does not exist").error(e).down();
        } catch (AwsServiceException e) {
            serviceDetails(builder, e).message("Table " + table + " is not reachable: " + e.getMessage()).error(e).down();
        } catch (RuntimeException e) {
            builder.message("Table " + table + " is not reachable: " + e.getMessage()).error(e).down();
        }
        return false;
    }

    private static HealthCheckResultBuilder serviceDetails(HealthCheckResultBuilder builder, AwsServiceException e) {
        builder.detail(AbstractHealthCheck.SERVICE_STATUS_CODE, e.statusCode());
        if (e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null) {
            builder.detail(AbstractHealthCheck.SERVICE_ERROR_CODE, e.awsErrorDetails().errorCode());
        }
        return builder;
    }
}
