package io.dynamodbdown.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * A JVM in which the default AWS chains find no credentials and no region, whatever the machine holds in
 * ~/.aws: the shared files point at an empty one and instance metadata is off, until {@link #close()}. Tests
 * that need this are skipped where environment variables (which a JVM cannot unset) provide either.
 */
public final class NoAwsCredentials implements AutoCloseable {

    private final Map<String, String> before = new HashMap<>();

    private NoAwsCredentials(Map<String, String> properties) {
        properties.forEach((name, value) -> before.put(name, System.setProperty(name, value)));
    }

    public static NoAwsCredentials inThisJvm() {
        return withProfiles("");
    }

    /**
     * The same, but the default chains' profile file holds these profiles (in the format of ~/.aws/credentials): as a
     * worker whose ~/.aws/credentials has them.
     *
     * @param credentialsFile the file's content
     */
    public static NoAwsCredentials withProfiles(String credentialsFile) {
        for (String variable : new String[] {"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"}) {
            Assumptions.assumeTrue(System.getenv(variable) == null, "this machine sets " + variable);
        }
        try {
            Path empty = Files.createTempFile("no-aws", ".ini");
            empty.toFile().deleteOnExit();
            Path credentials = Files.writeString(Files.createTempFile("aws-credentials", ".ini"), credentialsFile);
            credentials.toFile().deleteOnExit();
            return new NoAwsCredentials(Map.of("aws.disableEc2Metadata", "true",
                    "aws.sharedCredentialsFile", credentials.toString(), "aws.configFile", empty.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        before.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }
}
