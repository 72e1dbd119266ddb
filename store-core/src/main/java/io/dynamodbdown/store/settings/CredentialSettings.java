package io.dynamodbdown.store.settings;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Which AWS credentials a client signs with, part of {@link ClientSettings}: a key pair (with a session token for
 * temporary credentials), a named profile, or the default credentials chain, and optionally a role assumed on top of
 * those through STS. The secret key, the session token and the external id are never shown by {@link #toString()}
 * nor put into a problem's message.
 *
 * @param accessKey the access key id, with {@code secretKey}; null for a profile or the default chain
 * @param secretKey the secret access key that goes with {@code accessKey}
 * @param sessionToken the session token of temporary credentials, with the key pair; null for long-term keys
 * @param profile a profile of the AWS profile files; null for none (or "default" when {@code profileFile} is set)
 * @param profileFile a credentials file to read {@code profile} from instead of the default ones; null for those
 *     (~/.aws/credentials and ~/.aws/config, or where AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE point)
 * @param roleArn an IAM role to assume with the credentials above, refreshed before they expire; null for none
 * @param roleExternalId the external id the role's trust policy asks for; null for none
 * @param roleSessionName the name of the role session (seen in CloudTrail); null for {@value #DEFAULT_ROLE_SESSION_NAME}
 * @param roleDuration how long each set of the role's credentials lasts, 15 minutes to 12 hours
 * @param stsEndpoint an STS endpoint to use instead of the region's; null for the region's
 */
public record CredentialSettings(String accessKey, String secretKey, String sessionToken, String profile,
        Path profileFile, String roleArn, String roleExternalId, String roleSessionName, Duration roleDuration,
        String stsEndpoint) {

    /** The role session name when none is given. */
    public static final String DEFAULT_ROLE_SESSION_NAME = "dynamodbdown";
    /** How long the role's credentials last by default: 1 hour, as STS's own default. */
    public static final Duration DEFAULT_ROLE_DURATION = Duration.ofHours(1);
    /** The shortest role session STS grants. */
    public static final Duration MIN_ROLE_DURATION = Duration.ofMinutes(15);
    /** The longest role session STS grants (a role's own maximum may be lower). */
    public static final Duration MAX_ROLE_DURATION = Duration.ofHours(12);

    static final CredentialSettings DEFAULT_CHAIN = new CredentialSettings(null, null, null, null, null, null, null, null,
            DEFAULT_ROLE_DURATION, null);

    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");

    CredentialSettings withKeys(String newAccessKey, String newSecretKey, String newSessionToken) {
        return new CredentialSettings(newAccessKey, newSecretKey, newSessionToken, profile, profileFile, roleArn,
                roleExternalId, roleSessionName, roleDuration, stsEndpoint);
    }

    CredentialSettings withProfile(String newProfile, Path newProfileFile) {
        return new CredentialSettings(accessKey, secretKey, sessionToken, newProfile, newProfileFile, roleArn,
                roleExternalId, roleSessionName, roleDuration, stsEndpoint);
    }

    CredentialSettings withRole(String newRoleArn, String newExternalId, String newSessionName, Duration newDuration) {
        return new CredentialSettings(accessKey, secretKey, sessionToken, profile, profileFile, newRoleArn, newExternalId,
                newSessionName, newDuration, stsEndpoint);
    }

    CredentialSettings withStsEndpoint(String newStsEndpoint) {
        return new CredentialSettings(accessKey, secretKey, sessionToken, profile, profileFile, roleArn, roleExternalId,
                roleSessionName, roleDuration, newStsEndpoint);
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    /** {@return whether a key pair (possibly half of one) is given} */
    boolean hasKeys() {
        return isSet(accessKey) || isSet(secretKey);
    }

    /** {@return whether credentials come from a profile} */
    boolean hasProfile() {
        return profile != null || profileFile != null;
    }

    /** {@return whether a role is assumed on top of the base credentials} */
    boolean hasRole() {
        return roleArn != null;
    }

    /** Adds what cannot work; reads the profile files when a profile is named, contacts nothing. */
    void addProblems(List<SettingProblem> problems) {
        if (isSet(accessKey) != isSet(secretKey)) {
            problems.add(new SettingProblem(isSet(accessKey) ? Setting.SECRET_KEY : Setting.ACCESS_KEY,
                    "{ACCESS_KEY} and {SECRET_KEY} go together: set both, or neither to use the default AWS credentials chain"));
        }
        if (isSet(sessionToken) && !hasKeys()) {
            problems.add(new SettingProblem(Setting.SESSION_TOKEN, "goes with {ACCESS_KEY} and {SECRET_KEY}: temporary"
                    + " credentials are all three; set the key pair they were issued with, or leave the token out"));
        }
        if (hasProfile()) {
            profileProblem().ifPresent(problems::add);
        }
        if (hasRole()) {
            roleProblems(problems);
        } else {
            for (Setting roleOnly : List.of(Setting.ROLE_EXTERNAL_ID, Setting.ROLE_SESSION_NAME, Setting.STS_ENDPOINT)) {
                if (roleOnlyValue(roleOnly) != null) {
                    problems.add(new SettingProblem(roleOnly, "is used only to assume a role: set {ROLE_ARN} too, or leave"
                            + " this out"));
                }
            }
        }
    }

    private Object roleOnlyValue(Setting setting) {
        return switch (setting) {
            case ROLE_EXTERNAL_ID -> roleExternalId;
            case ROLE_SESSION_NAME -> roleSessionName;
            default -> stsEndpoint;
        };
    }

    private Optional<SettingProblem> profileProblem() {
        if (hasKeys()) {
            return Optional.of(new SettingProblem(Setting.PROFILE, "and {ACCESS_KEY} are two sources of credentials: set"
                    + " one of them (a role, {ROLE_ARN}, can be assumed with either)"));
        }
        if (profile != null && profile.isBlank()) {
            return Optional.of(new SettingProblem(Setting.PROFILE, "must not be blank; leave it out for the default"
                    + " credentials chain"));
        }
        ProfileFile file;
        try {
            file = loadProfileFile();
        } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            return Optional.of(new SettingProblem(Setting.PROFILE_FILE, "cannot read '" + profileFile + "' as an AWS"
                    + " credentials file: " + e.getMessage()));
        }
        String name = profileName();
        if (file.profile(name).isEmpty()) {
            String where = profileFile != null ? "'" + profileFile + "'"
                    : "the AWS profile files (~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and"
                    + " AWS_CONFIG_FILE)";
            return Optional.of(new SettingProblem(profileFile != null && profile == null ? Setting.PROFILE_FILE : Setting.PROFILE,
                    "there is no profile '" + name + "' in " + where + "; profiles there: " + file.profiles().keySet()));
        }
        return Optional.empty();
    }

    private void roleProblems(List<SettingProblem> problems) {
        if (!ROLE_ARN.matcher(roleArn).matches()) {
            problems.add(new SettingProblem(Setting.ROLE_ARN, "'" + roleArn + "' is not the ARN of an IAM role, such as"
                    + " arn:aws:iam::123456789012:role/dynamodbdown-backup"));
        }
        if (roleExternalId != null && !EXTERNAL_ID.matcher(roleExternalId).matches()) {
            // never the value: it is a secret
            problems.add(new SettingProblem(Setting.ROLE_EXTERNAL_ID, "must be 2 to 1224 characters of letters, digits"
                    + " and _+=,.@:/- (as STS accepts it)"));
        }
        if (roleSessionName != null && !SESSION_NAME.matcher(roleSessionName).matches()) {
            problems.add(new SettingProblem(Setting.ROLE_SESSION_NAME, "'" + roleSessionName + "' must be 2 to 64"
                    + " characters of letters, digits and _+=,.@-"));
        }
        if (roleDuration == null || roleDuration.compareTo(MIN_ROLE_DURATION) < 0 || roleDuration.compareTo(MAX_ROLE_DURATION) > 0) {
            problems.add(new SettingProblem(Setting.ROLE_DURATION, "must be between " + MIN_ROLE_DURATION.toSeconds() + " and "
                    + MAX_ROLE_DURATION.toSeconds() + " seconds (15 minutes to 12 hours, and at most the role's maximum"
                    + " session duration), got " + (roleDuration == null ? null : roleDuration.toSeconds())));
        }
        if (stsEndpoint != null) {
            ClientSettings.urlProblem(Setting.STS_ENDPOINT, stsEndpoint).ifPresent(problems::add);
        }
    }

    private ProfileFile loadProfileFile() {
        if (profileFile == null) {
            return ProfileFile.defaultProfileFile();
        }
        if (!Files.isReadable(profileFile)) {
            throw new IllegalArgumentException("no such file, or not readable");
        }
        return ProfileFile.builder().content(profileFile).type(ProfileFile.Type.CREDENTIALS).build();
    }

    private String profileName() {
        return profile != null ? profile : "default";
    }

    /**
     * The provider of these credentials, the caller's to close (a client built with it closes it with itself),
     * renewing an assumed role's credentials {@code renewal} before they expire instead of the SDK's 5
     * minutes (stale 1 minute ahead; tests shorten both, since the SDK spreads a renewal over 3 minutes at random).
     *
     * @param region where an assumed role's STS client goes (the client's own region)
     * @param renewal how long before expiry to renew; null for the SDK's
     * @return null for the default chain without a role: the client's own default then applies
     */
    AwsCredentialsProvider provider(Region region, Duration renewal) {
        AwsCredentialsProvider base = baseProvider();
        if (!hasRole()) {
            return base;
        }
        return new AssumedRole(this, region, base != null ? base : DefaultCredentialsProvider.builder().build(), renewal);
    }

    private AwsCredentialsProvider baseProvider() {
        if (hasKeys()) {
            AwsCredentials credentials = isSet(sessionToken)
                    ? AwsSessionCredentials.create(accessKey, secretKey, sessionToken)
                    : AwsBasicCredentials.create(accessKey, secretKey);
            return StaticCredentialsProvider.create(credentials);
        }
        if (hasProfile()) {
            return ProfileCredentialsProvider.builder().profileFile(loadProfileFile()).profileName(profileName()).build();
        }
        return null;
    }

    /**
     * {@return which setting a failure to resolve these credentials concerns, and what to say: the base credentials'
     * setting, or the role's when one is assumed}
     *
     * @param failure what the SDK said
     */
    SettingProblem unresolvable(Throwable failure) {
        if (hasRole()) {
            return new SettingProblem(Setting.ROLE_ARN, "the role could not be assumed (" + failureSummary(failure) + "):"
                    + " check that the base credentials ({ACCESS_KEY}/{SECRET_KEY}, {PROFILE}, or the default AWS chain)"
                    + " are valid and that the role's trust policy lets them assume it"
                    + (roleExternalId != null ? " with this {ROLE_EXTERNAL_ID}" : "")
                    + (stsEndpoint != null ? ", and that {STS_ENDPOINT} answers" : ""));
        }
        if (hasProfile()) {
            return new SettingProblem(Setting.PROFILE, "profile '" + profileName() + "' gives no usable credentials ("
                    + failureSummary(failure) + ")");
        }
        return new SettingProblem(Setting.ACCESS_KEY, "no AWS credentials were found: set {ACCESS_KEY} and {SECRET_KEY},"
                + " {PROFILE}, or provide credentials through the default AWS chain (AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, a container or instance role)");
    }

    /** What the SDK said: a service's error code and message, or the innermost failure's message. */
    private static String failureSummary(Throwable failure) {
        Throwable innermost = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AwsServiceException service && service.awsErrorDetails() != null) {
                return service.awsErrorDetails().serviceName() + " answered " + service.statusCode() + " "
                        + service.awsErrorDetails().errorCode() + ": " + service.awsErrorDetails().errorMessage();
            }
            innermost = cause;
        }
        return innermost.getMessage();
    }

    @Override
    public String toString() {
        return "CredentialSettings{accessKey=" + accessKey + ", secretKey=" + mask(secretKey) + ", sessionToken="
                + mask(sessionToken) + ", profile=" + profile + ", profileFile=" + profileFile + ", roleArn=" + roleArn
                + ", roleExternalId=" + mask(roleExternalId) + ", roleSessionName=" + roleSessionName + ", roleDuration="
                + roleDuration + ", stsEndpoint=" + stsEndpoint + "}";
    }

    private static String mask(String secret) {
        return secret == null ? null : "******";
    }

    /**
     * A role assumed through STS, refreshed by the SDK before its credentials expire (5 minutes ahead, blocking at
     * most the one request that finds them due). Closing it closes the STS client it built, which the SDK's provider
     * would leave open; a client built with it closes it when the client is closed.
     */
    static final class AssumedRole implements AwsCredentialsProvider, SdkAutoCloseable {
        private final StsClient sts;
        private final StsAssumeRoleCredentialsProvider provider;
        private final String roleArn;
        private final AtomicBoolean closed = new AtomicBoolean();

        AssumedRole(CredentialSettings settings, Region region, AwsCredentialsProvider base, Duration renewal) {
            StsClientBuilder builder = StsClient.builder().region(region).credentialsProvider(base); // closes base
            if (settings.stsEndpoint() != null) {
                builder.endpointOverride(URI.create(settings.stsEndpoint()));
            }
            this.sts = builder.build();
            this.roleArn = settings.roleArn();
            this.provider = StsAssumeRoleCredentialsProvider.builder().stsClient(sts).refreshRequest(r -> r
                    .roleArn(settings.roleArn())
                    .externalId(settings.roleExternalId())
                    .roleSessionName(settings.roleSessionName() != null ? settings.roleSessionName() : DEFAULT_ROLE_SESSION_NAME)
                    .durationSeconds((int) settings.roleDuration().toSeconds()))
                    .prefetchTime(renewal)
                    .staleTime(renewal == null ? null : renewal.dividedBy(2))
                    .build();
        }

        @Override
        public AwsCredentials resolveCredentials() {
            return provider.resolveCredentials();
        }

        /** {@return whether this was closed: its STS client is closed too} */
        boolean isClosed() {
            return closed.get();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                provider.close();
                sts.close();
            }
        }

        @Override
        public String toString() {
            return "AssumedRole{" + roleArn + "}"; // never the external id
        }
    }
}
