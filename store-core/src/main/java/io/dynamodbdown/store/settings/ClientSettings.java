package io.dynamodbdown.store.settings;

import io.dynamodbdown.store.RetryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * How to reach DynamoDB, as the adapters' options give it: region, endpoint, credentials, retries and
 * timeouts, mapped onto a {@link DynamoDbClient} once validated ({@code DynamoDbClients} builds the clients).
 *
 * <p>Retries live in one place: the client's retry strategy retries every failed request (throttling, server
 * errors, connection errors, attempt timeouts) up to {@code maxAttempts} attempts in all, pausing with
 * exponential backoff and full jitter from {@code retryBaseDelay} up to {@code retryMaxDelay}, without the
 * SDK's retry token bucket so that the budget is exactly what was asked for. The store's own loop, for what
 * DynamoDB answers but does not do (unprocessed items and keys), uses the same budget: {@link #retryPolicy()}.
 * With the defaults a request gives up after 10 attempts and at most 7.2 s of pauses.
 *
 * @param region the AWS region; null for the default region chain (or us-east-1 with an endpoint override)
 * @param endpoint an endpoint to use instead of AWS's, such as {@code http://localhost:8000}; null for AWS
 * @param credentials which credentials the client signs with: a key pair (with a session token for temporary
 *     credentials), a profile or the default chain, and a role assumed on top of them; secrets never shown by
 *     {@link #toString()}
 * @param maxAttempts attempts per request in all, 1 for no retry
 * @param retryBaseDelay the longest pause before the first retry
 * @param retryMaxDelay the longest pause before any retry
 * @param apiCallTimeout how long one call may take, all attempts included; null for no limit
 * @param apiCallAttemptTimeout how long one attempt may take; null for no limit
 */
public record ClientSettings(String region, String endpoint, CredentialSettings credentials, int maxAttempts,
        Duration retryBaseDelay, Duration retryMaxDelay, Duration apiCallTimeout, Duration apiCallAttemptTimeout) {

    /** Attempts per request in all by default: the first and 9 retries. */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    /** The longest pause before the first retry by default: 25 ms, doubling with each retry. */
    public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofMillis(25);
    /** The longest pause before any retry by default: 2 s. */
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(2);

    private static final ClientSettings DEFAULTS = new ClientSettings(null, null, CredentialSettings.DEFAULT_CHAIN, DEFAULT_MAX_ATTEMPTS,
            DEFAULT_RETRY_BASE_DELAY, DEFAULT_RETRY_MAX_DELAY, null, null);

    /**
     * {@return the defaults: the default region and credentials chains, AWS's endpoint,
     * {@value #DEFAULT_MAX_ATTEMPTS} attempts with pauses from 25 ms up to 2 s, no timeouts}
     */
    public static ClientSettings defaults() {
        return DEFAULTS;
    }

    /**
     * Sets the AWS region.
     *
     * @param value e.g. {@code eu-west-1}; null for the default region chain (or us-east-1 with an endpoint)
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withRegion(String value) {
        return new ClientSettings(value, endpoint, credentials, maxAttempts, retryBaseDelay, retryMaxDelay,
                apiCallTimeout, apiCallAttemptTimeout);
    }

    /**
     * Sets an endpoint to use instead of AWS's.
     *
     * @param value an http or https URL with a host, e.g. {@code http://localhost:8000}; null for AWS
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withEndpoint(String value) {
        return new ClientSettings(region, value, credentials, maxAttempts, retryBaseDelay, retryMaxDelay,
                apiCallTimeout, apiCallAttemptTimeout);
    }

    /**
     * Sets a key pair: long-term keys, or temporary ones with {@link #withSessionToken}; both or neither.
     *
     * @param newAccessKey the access key id; null (with a null secret) for a profile or the default credentials chain
     * @param newSecretKey the secret access key that goes with it
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withCredentials(String newAccessKey, String newSecretKey) {
        return withCredentialSettings(credentials.withKeys(newAccessKey, newSecretKey, credentials.sessionToken()));
    }

    /**
     * Sets the session token of temporary credentials (STS's, an SSO login's), which go with the key pair of
     * {@link #withCredentials}. They are used as they are, never refreshed: for credentials that must outlive them,
     * assume a role ({@link #withRole}).
     *
     * @param token the session token; null for long-term keys
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withSessionToken(String token) {
        return withCredentialSettings(credentials.withKeys(credentials.accessKey(), credentials.secretKey(), token));
    }

    /**
     * Takes the credentials from a profile of the AWS profile files, as the AWS CLI does (keys, a process, SSO, or a
     * role of its own with {@code role_arn} and {@code source_profile}); instead of a key pair.
     *
     * @param name the profile; null for none, or for "default" when {@code file} is given
     * @param file a credentials file (the format of ~/.aws/credentials) to read instead of the default ones; null for
     *     those (~/.aws/credentials and ~/.aws/config, or where AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE point)
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withProfile(String name, Path file) {
        return withCredentialSettings(credentials.withProfile(name, file));
    }

    /**
     * Assumes an IAM role with the credentials set otherwise (a key pair, a profile or the default chain): the
     * client signs with the role's temporary credentials, which the SDK renews through STS before they expire. The
     * usual way into another account.
     *
     * @param arn the role, e.g. {@code arn:aws:iam::123456789012:role/dynamodbdown-backup}; null for none
     * @param externalId the external id the role's trust policy requires (a secret, never shown); null for none
     * @param sessionName the role session's name, seen in CloudTrail; null for
     *     {@value CredentialSettings#DEFAULT_ROLE_SESSION_NAME}
     * @param duration how long each set of the role's credentials lasts, 15 minutes to 12 hours (and at most the
     *     role's maximum session duration); null for 1 hour
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withRole(String arn, String externalId, String sessionName, Duration duration) {
        return withCredentialSettings(credentials.withRole(arn, externalId, sessionName,
                duration != null ? duration : CredentialSettings.DEFAULT_ROLE_DURATION));
    }

    /**
     * Sets an STS endpoint to assume the role through instead of the region's (a VPC endpoint, or a stand-in in
     * tests).
     *
     * @param value an http or https URL with a host; null for the region's STS endpoint
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withStsEndpoint(String value) {
        return withCredentialSettings(credentials.withStsEndpoint(value));
    }

    private ClientSettings withCredentialSettings(CredentialSettings value) {
        return new ClientSettings(region, endpoint, value, maxAttempts, retryBaseDelay, retryMaxDelay, apiCallTimeout,
                apiCallAttemptTimeout);
    }

    /**
     * Sets how many attempts a request gets in all.
     *
     * @param value at least 1; 1 sends each request once (default {@value #DEFAULT_MAX_ATTEMPTS})
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withMaxAttempts(int value) {
        return new ClientSettings(region, endpoint, credentials, value, retryBaseDelay, retryMaxDelay,
                apiCallTimeout, apiCallAttemptTimeout);
    }

    /**
     * Sets the pauses between attempts: exponential backoff with full jitter.
     *
     * @param base the longest pause before the first retry, 0 or more (default 25 ms); doubles with each retry
     * @param max the longest pause before any retry, at least {@code base} (default 2 s)
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withRetryDelays(Duration base, Duration max) {
        return new ClientSettings(region, endpoint, credentials, maxAttempts, base, max, apiCallTimeout,
                apiCallAttemptTimeout);
    }

    /**
     * Sets the client's timeouts; a timed-out attempt is retried, a timed-out call is not.
     *
     * @param apiCall how long one call may take, all attempts included, positive; null for no limit
     * @param apiCallAttempt how long one attempt may take, positive; null for no limit
     * @return new settings with this change; checked only when used ({@link #problems()} lists what is wrong)
     */
    public ClientSettings withTimeouts(Duration apiCall, Duration apiCallAttempt) {
        return new ClientSettings(region, endpoint, credentials, maxAttempts, retryBaseDelay, retryMaxDelay,
                apiCall, apiCallAttempt);
    }

    /**
     * Checks the settings without building anything (missing credentials or region are found only by
     * {@link #build}).
     *
     * @return everything that cannot work, each on its setting; empty when the settings are fine
     */
    public List<SettingProblem> problems() {
        List<SettingProblem> problems = new ArrayList<>();
        if (region != null && region.isBlank()) {
            problems.add(new SettingProblem(Setting.REGION, "must not be blank; leave it out to use the default region chain"));
        }
        if (endpoint != null) {
            urlProblem(Setting.ENDPOINT, endpoint).ifPresent(problems::add);
        }
        credentials.addProblems(problems);
        if (maxAttempts < 1) {
            problems.add(new SettingProblem(Setting.MAX_ATTEMPTS, "must be at least 1 (1 = no retry), got " + maxAttempts));
        }
        if (retryBaseDelay == null || retryBaseDelay.isNegative()) {
            problems.add(new SettingProblem(Setting.RETRY_BASE_DELAY, "must be 0 or more, got " + retryBaseDelay));
        } else if (retryMaxDelay == null || retryMaxDelay.compareTo(retryBaseDelay) < 0) {
            problems.add(new SettingProblem(Setting.RETRY_MAX_DELAY, "must be at least {RETRY_BASE_DELAY} ("
                    + retryBaseDelay.toMillis() + " ms), got " + (retryMaxDelay == null ? null : retryMaxDelay.toMillis() + " ms")));
        }
        checkTimeout(Setting.API_CALL_TIMEOUT, apiCallTimeout, problems);
        checkTimeout(Setting.API_CALL_ATTEMPT_TIMEOUT, apiCallAttemptTimeout, problems);
        return problems;
    }

    /** An endpoint setting's problem: it must be an http or https URL with a host. */
    static Optional<SettingProblem> urlProblem(Setting setting, String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() != null && uri.getHost() != null
                    && (uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                return Optional.empty();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        return Optional.of(new SettingProblem(setting,
                "'" + url + "' is not an endpoint URL such as http://localhost:8000 (http or https, and a host)"));
    }

    private static void checkTimeout(Setting setting, Duration timeout, List<SettingProblem> problems) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            problems.add(new SettingProblem(setting, "must be positive, or left out for no limit; got " + timeout.toMillis() + " ms"));
        }
    }

    /**
     * {@return the store's budget for unprocessed items and keys: the same attempts and pauses as the client's
     * requests, for {@code OpenOptions.withRetryPolicy}}
     *
     * @throws InvalidSettingsException for any problem
     */
    public RetryPolicy retryPolicy() {
        InvalidSettingsException.throwIfAny(problems());
        return new RetryPolicy(maxAttempts, retryBaseDelay, retryMaxDelay);
    }

    /**
     * Applies these settings to an SDK client builder: region, endpoint, credentials and timeouts, with
     * {@code retryStrategy} for every request ({@code DynamoDbClients} gives the store's, built from
     * {@code maxAttempts} and the retry delays). The credentials provider (an assumed role's holds an STS client) is
     * closed by the client built from it, with the client.
     *
     * @param builder a DynamoDB or DynamoDB Streams client builder
     * @param retryStrategy the retry strategy the client's requests go by
     * @param <B> the builder's type
     * @return {@code builder}, configured
     * @throws InvalidSettingsException for any problem
     */
    public <B extends AwsClientBuilder<B, ?>> B configure(B builder, RetryStrategy retryStrategy) {
        return configure(builder, retryStrategy, null);
    }

    /** The same, renewing an assumed role's credentials {@code roleRenewal} ahead of their expiry (null: the SDK's). */
    <B extends AwsClientBuilder<B, ?>> B configure(B builder, RetryStrategy retryStrategy, Duration roleRenewal) {
        InvalidSettingsException.throwIfAny(problems());
        // a local endpoint ignores the region, the SDK still wants one; null: the default region chain, which an
        // assumed role's STS client needs too (and fails as the client would without one: no region)
        Region resolved = region != null ? Region.of(region) : endpoint != null ? Region.US_EAST_1
                : credentials.hasRole() ? DefaultAwsRegionProviderChain.builder().build().getRegion() : null;
        if (resolved != null) {
            builder.region(resolved);
        }
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        // the client closes the provider with itself (and an assumed role's STS client with it)
        AwsCredentialsProvider provider = credentials.provider(resolved, roleRenewal);
        if (provider != null) {
            builder.credentialsProvider(provider);
        }
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder().retryStrategy(retryStrategy);
        if (apiCallTimeout != null) {
            override.apiCallTimeout(apiCallTimeout);
        }
        if (apiCallAttemptTimeout != null) {
            override.apiCallAttemptTimeout(apiCallAttemptTimeout);
        }
        return builder.overrideConfiguration(override.build());
    }

    /**
     * Builds a client from a builder these settings configured, the caller's to close. The region and credentials
     * are looked up now, so a missing one fails here, named on its setting, instead of on the first request.
     *
     * @param configured a builder {@link #configure} applied these settings to
     * @return a new client, the caller's to close
     * @throws InvalidSettingsException when no region or no credentials can be found
     */
    public DynamoDbClient build(DynamoDbClientBuilder configured) {
        DynamoDbClient client;
        try {
            client = configured.build();
        } catch (SdkClientException e) {
            throw new InvalidSettingsException(List.of(new SettingProblem(Setting.REGION, "no AWS region is set and"
                    + " the default region chain found none (AWS_REGION, ~/.aws/config, instance metadata): set it")), e);
        }
        try {
            client.serviceClientConfiguration().credentialsProvider().resolveIdentity().join();
        } catch (CompletionException | SdkClientException | AwsServiceException e) {
            client.close();
            throw new InvalidSettingsException(List.of(credentials.unresolvable(e)), e);
        }
        return client;
    }

    @Override
    public String toString() {
        return "ClientSettings{region=" + region + ", endpoint=" + endpoint + ", credentials=" + credentials
                + ", maxAttempts=" + maxAttempts + ", retryBaseDelay=" + retryBaseDelay + ", retryMaxDelay=" + retryMaxDelay
                + ", apiCallTimeout=" + apiCallTimeout + ", apiCallAttemptTimeout=" + apiCallAttemptTimeout + "}";
    }
}
