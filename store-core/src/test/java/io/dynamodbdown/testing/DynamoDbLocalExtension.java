package io.dynamodbdown.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Gives tests one DynamoDB Local for the whole test run (started on first use, stopped when the run ends):
 * {@code @ExtendWith(DynamoDbLocalExtension.class)}, then take a {@link DynamoDbLocal} or a
 * {@link DynamoDbClient} as a constructor, lifecycle or test method parameter, or call {@link #get()}.
 */
public final class DynamoDbLocalExtension implements ParameterResolver {

    private static volatile DynamoDbLocal shared;

    /** The run's DynamoDB Local, started if needed (for code outside JUnit's parameter resolution). */
    public static DynamoDbLocal get() {
        DynamoDbLocal local = shared;
        if (local == null) {
            synchronized (DynamoDbLocalExtension.class) {
                if (shared == null) {
                    shared = DynamoDbLocal.start();
                    Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "dynamodb-local-stop"));
                }
                local = shared;
            }
        }
        return local;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DynamoDbLocal.class || type == DynamoDbClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        DynamoDbLocal local = get();
        return parameter.getParameter().getType() == DynamoDbLocal.class ? local : local.client();
    }
}
