package io.dynamodbdown.camel.repository;

import io.dynamodbdown.store.BatchOperation;
import io.dynamodbdown.store.Bytes;
import io.dynamodbdown.store.Database;
import io.dynamodbdown.store.Expect;
import io.dynamodbdown.store.KeyRange;
import io.dynamodbdown.store.Location;
import io.dynamodbdown.store.OpenOptions;
import io.dynamodbdown.store.dynamodb.DynamoDbDown;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A persistent idempotent repository on DynamoDB for {@code idempotentConsumer(...)}: message ids are keys
 * of the database {@code table$repositoryName}. {@link #add} is a conditional write, so of several routes
 * or JVMs seeing the same id at once exactly one gets true, and one whose answer got lost (the client sending
 * it again) still gets true: the store recognises its own write.
 */
public class DynamoDbDownIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private static final byte[] SEEN = new byte[0];

    private final DynamoDbClient client;
    private final Location location;
    private Database db;

    /**
     * A repository keeping its ids in the database {@code tableName$repositoryName}, created with the table
     * if missing when the repository starts.
     *
     * @param client the DynamoDB client; the repository does not close it
     * @param tableName the DynamoDB table, which may hold other databases too
     * @param repositoryName the hash key of this repository's ids
     */
    public DynamoDbDownIdempotentRepository(DynamoDbClient client, String tableName, String repositoryName) {
        this.client = client;
        this.location = new Location(tableName, repositoryName);
    }

    @Override
    protected void doStart() {
        db = DynamoDbDown.open(client, location, OpenOptions.defaults());
    }

    @Override
    protected void doStop() {
        if (db != null) {
            db.close();
        }
    }

    @Override
    public boolean add(String key) {
        return db.putIfAbsent(Bytes.utf8(key), SEEN);
    }

    @Override
    public boolean contains(String key) {
        return db.has(Bytes.utf8(key));
    }

    /** Forgets the id in one conditional delete: true when it was there. */
    @Override
    public boolean remove(String key) {
        return db.writeIf(BatchOperation.del(Bytes.utf8(key)), Expect.present());
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        db.clear(KeyRange.all());
    }
}
