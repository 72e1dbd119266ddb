package io.dynamodbdown.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for AWS STS on a loopback port, answering AssumeRole (the Query protocol the SDK's STS client speaks)
 * for the roles it was told about, with fresh credentials each time, whose access key id DynamoDB Local (keeping one
 * store per access key id) turns into where the data lands. It records every
 * call: which role, external id, session name and duration, and which key signed it.
 */
public final class StsStandIn implements AutoCloseable {

    /**
     * One AssumeRole call as it arrived.
     *
     * @param roleArn the role asked for
     * @param externalId the external id sent, or null
     * @param sessionName the role session name sent
     * @param durationSeconds the duration asked for, or 0 when none was sent
     * @param signedWith the access key id of the credentials that signed the call
     * @param sessionToken the session token the call carried (temporary base credentials), or null
     */
    public record Call(String roleArn, String externalId, String sessionName, int durationSeconds, String signedWith,
            String sessionToken) {
    }

    private record Role(String keyPrefix, boolean numbered, String externalId, List<Duration> lifetimes, AtomicInteger issued) {
    }

    private final HttpServer server;
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    private StsStandIn(HttpServer server) {
        this.server = server;
    }

    /** Starts one on a free loopback port. */
    public static StsStandIn start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            StsStandIn sts = new StsStandIn(server);
            server.createContext("/", sts::handle);
            server.start();
            return sts;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the STS stand-in", e);
        }
    }

    /** The endpoint, for the STS endpoint setting. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Lets a role be assumed, each set of credentials with an access key id of its own (as AWS gives them), so that
     * DynamoDB Local keeps what each set writes apart: for tests of one client whose credentials are renewed.
     *
     * @param roleArn the role
     * @param keyPrefix letters and digits (what DynamoDB Local accepts): the n-th credentials have the access key id
     *     {@code keyPrefix + n}
     * @param externalId the external id its trust policy asks for, or null for none
     * @param lifetimes how long the first, second, ... credentials last; the last one for all after it
     * @return this stand-in
     */
    public StsStandIn role(String roleArn, String keyPrefix, String externalId, Duration... lifetimes) {
        roles.put(roleArn, new Role(keyPrefix, true, externalId, List.of(lifetimes), new AtomicInteger()));
        return this;
    }

    /**
     * Lets a role be assumed, every set of its credentials (fresh secret and token, 1 hour) with the same access key id:
     * all clients of the role see one DynamoDB Local store, as all sessions of a role see its account's tables.
     *
     * @param roleArn the role
     * @param accessKeyId letters and digits: the key id of its every set of credentials, the "account's" store
     * @param externalId the external id its trust policy asks for, or null for none
     * @return this stand-in
     */
    public StsStandIn roleInAccount(String roleArn, String accessKeyId, String externalId) {
        roles.put(roleArn, new Role(accessKeyId, false, externalId, List.of(Duration.ofHours(1)), new AtomicInteger()));
        return this;
    }

    /** {@return the access key id of the {@code generation}-th credentials of the role (the first is 1)} */
    public String accessKeyId(String roleArn, int generation) {
        Role role = roles.get(roleArn);
        return role.numbered() ? role.keyPrefix() + generation : role.keyPrefix();
    }

    /** {@return how many credentials the role has given so far} */
    public int issued(String roleArn) {
        return roles.get(roleArn).issued().get();
    }

    /** {@return every AssumeRole call so far, answered or refused, in order} */
    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String signedWith = authorization == null || !authorization.contains("Credential=") ? null
                    : authorization.substring(authorization.indexOf("Credential=") + 11).split("/", 2)[0];
            if (!"AssumeRole".equals(form.get("Action"))) {
                respond(exchange, 400, error("InvalidAction", "this stand-in answers AssumeRole only"));
                return;
            }
            String roleArn = form.get("RoleArn");
            calls.add(new Call(roleArn, form.get("ExternalId"), form.get("RoleSessionName"),
                    Integer.parseInt(form.getOrDefault("DurationSeconds", "0")), signedWith,
                    exchange.getRequestHeaders().getFirst("X-Amz-Security-Token")));
            Role role = roles.get(roleArn);
            if (role == null || (role.externalId() != null && !role.externalId().equals(form.get("ExternalId")))) {
                respond(exchange, 403, error("AccessDenied", "User: " + signedWith + " is not authorized to perform:"
                        + " sts:AssumeRole on resource: " + roleArn));
                return;
            }
            int generation = role.issued().incrementAndGet();
            Duration lifetime = role.lifetimes().get(Math.min(generation, role.lifetimes().size()) - 1);
            String key = role.numbered() ? role.keyPrefix() + generation : role.keyPrefix();
            respond(exchange, 200, "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    + "<AssumeRoleResult><AssumedRoleUser><Arn>" + roleArn.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/")
                    + "/" + form.get("RoleSessionName") + "</Arn><AssumedRoleId>AROA" + role.keyPrefix() + ":"
                    + form.get("RoleSessionName") + "</AssumedRoleId></AssumedRoleUser>"
                    + "<Credentials><AccessKeyId>" + key + "</AccessKeyId><SecretAccessKey>secret" + key + generation + "</SecretAccessKey>"
                    + "<SessionToken>token" + key + generation + "</SessionToken><Expiration>"
                    + Instant.now().plus(lifetime).truncatedTo(ChronoUnit.SECONDS) + "</Expiration></Credentials>"
                    + "</AssumeRoleResult><ResponseMetadata><RequestId>" + key + "</RequestId></ResponseMetadata>"
                    + "</AssumeRoleResponse>");
        }
    }

    private static String error(String code, String message) {
        return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" + code
                + "</Code><Message>" + message + "</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>";
    }

    private static void respond(HttpExchange exchange, int status, String xml) throws IOException {
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
