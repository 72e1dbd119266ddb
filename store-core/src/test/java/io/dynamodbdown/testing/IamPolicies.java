package io.dynamodbdown.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.dynamodbdown.testing.AwsActionRecorder.Call;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The README's IAM policies against what the components called in the tests ({@link AwsActionRecorder}): each
 * component's policy must hold exactly the actions its tests called, stream actions on the stream's ARN and the
 * others on the table's, and the add-on policies (table creation, stream enabling) exactly the actions of those paths.
 * A policy is a {@code ```json} block right after a line {@code <!-- iam-policy: name [name...] -->}.
 */
public final class IamPolicies {

    private static final Pattern POLICY = Pattern.compile("^<!-- iam-policy: ([a-z0-9 -]+) -->\\s*\\n```json\\s*\\n(.*?)^```\\s*$",
            Pattern.DOTALL | Pattern.MULTILINE);
    private static final Set<String> STREAM_ACTIONS = Set.of("dynamodb:DescribeStream", "dynamodb:GetShardIterator",
            "dynamodb:GetRecords", "dynamodb:ListStreams");

    /**
     * One statement's worth of a policy.
     *
     * @param actions its actions
     * @param resources its resources
     */
    record Statement(List<String> actions, List<String> resources) {
    }

    private IamPolicies() {
    }

    /**
     * Skips the check unless every test class of the module ran in this JVM: a policy checked against part of the
     * suite would seem to list actions nothing calls.
     *
     * @param policyTest the module's policy test, whose compiled classes' folder holds the module's test classes
     */
    public static void assumeTheWholeSuiteRan(Class<?> policyTest) {
        Path classes;
        try {
            classes = Path.of(policyTest.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Set<String> all;
        try (Stream<Path> files = Files.walk(classes)) {
            all = files.map(p -> classes.relativize(p).toString()).filter(p -> p.endsWith("Test.class") && !p.contains("$"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .filter(name -> !isAbstract(name)).collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        all.removeAll(AwsActionRecorder.classesRun());
        Assumptions.assumeTrue(all.isEmpty(), "the IAM policies are checked after the module's whole test suite only;"
                + " not run here: " + all);
    }

    private static boolean isAbstract(String className) {
        try {
            return Modifier.isAbstract(Class.forName(className, false, IamPolicies.class.getClassLoader()).getModifiers());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Holds the README's policies against the recorded calls, and writes them all to {@code target/iam-actions.txt}
     * (component, action, and each code path that asked for it).
     *
     * @param components the module's components, each named as its policy is
     * @param addOns the add-on policies, whose actions no component's own policy lists
     * @param componentsOf which components a call's askers (innermost first, adapter frames among them) belong to; an
     *     empty set for a call the module's rules do not know, which fails
     * @param mustExercise per component, the store's code paths (frame prefixes such as
     *     {@code io.dynamodbdown.store.dynamodb.LargeValues#discard}) its tests must have gone through, so that its
     *     policy is held against them too
     */
    public static void assertTheReadmeHoldsWhatWasCalled(List<String> components, List<String> addOns,
            Function<List<String>, Set<String>> componentsOf, Map<String, List<String>> mustExercise) {
        Map<String, List<Statement>> policies = readmePolicies();
        Map<String, Map<String, List<String>>> observed = new TreeMap<>(); // component -> action -> an asker
        Map<String, Set<String>> paths = new TreeMap<>(); // component -> "action <- askers"
        List<String> problems = new ArrayList<>();
        for (Call call : AwsActionRecorder.calls()) {
            if (call.askers().stream().noneMatch(AwsActionRecorder::isAdapter)) {
                continue; // the tests' own requests
            }
            Set<String> owners = componentsOf.apply(call.askers());
            if (owners.isEmpty()) {
                problems.add("no component of this module is known to ask for " + call.action() + " from " + call.askers()
                        + ": give IamPoliciesTest a rule for it");
            }
            for (String owner : owners) {
                observed.computeIfAbsent(owner, c -> new TreeMap<>()).putIfAbsent(call.action(), call.askers());
                paths.computeIfAbsent(owner, c -> new TreeSet<>()).add(call.action() + " <- " + String.join(" < ", call.askers()));
            }
        }
        writeReport(paths);
        mustExercise.forEach((component, prefixes) -> {
            for (String prefix : prefixes) {
                if (paths.getOrDefault(component, Set.of()).stream().noneMatch(path -> path.contains(prefix))) {
                    problems.add("no test took " + component + " through " + prefix + ": its policy is not checked"
                            + " against that path; add a test that does");
                }
            }
        });
        Set<String> addOnActions = new TreeSet<>();
        for (String addOn : addOns) {
            addOnActions.addAll(actions(policy(policies, addOn)));
        }
        Set<String> addOnsCalled = new TreeSet<>();
        for (String component : components) {
            Map<String, List<String>> called = observed.getOrDefault(component, Map.of());
            Set<String> listed = actions(policy(policies, component));
            for (Map.Entry<String, List<String>> action : called.entrySet()) {
                if (addOnActions.contains(action.getKey())) {
                    addOnsCalled.add(action.getKey());
                } else if (!listed.contains(action.getKey())) {
                    problems.add(component + " calls " + action.getKey() + ", which its README policy lacks (asked by "
                            + action.getValue() + ")");
                }
            }
            for (String action : listed) {
                if (addOnActions.contains(action)) {
                    problems.add(component + "'s README policy lists " + action + ", which belongs in an add-on policy");
                } else if (!called.containsKey(action)) {
                    problems.add(component + "'s README policy lists " + action + ", which none of its tests called");
                }
            }
        }
        for (String action : addOnActions) {
            if (!addOnsCalled.contains(action)) {
                problems.add("an add-on README policy lists " + action + ", which none of this module's components called");
            }
        }
        for (String name : Stream.concat(components.stream(), addOns.stream()).toList()) {
            for (Statement statement : policy(policies, name)) {
                boolean onStream = statement.resources().stream().allMatch(r -> r.matches("arn:aws:dynamodb:[^:]+:[^:]+:table/[^/]+/stream/\\*"));
                boolean onTable = statement.resources().stream().allMatch(r -> r.matches("arn:aws:dynamodb:[^:]+:[^:]+:table/[^/]+"));
                for (String action : statement.actions()) {
                    if (STREAM_ACTIONS.contains(action) ? !onStream : !onTable) {
                        problems.add(name + "'s README policy grants " + action + " on " + statement.resources() + ": it acts on "
                                + (STREAM_ACTIONS.contains(action) ? "the table's stream, arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/*"
                                        : "the table, arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE"));
                    }
                }
            }
        }
        assertEquals(List.of(), problems, "README.md's IAM policies and what the components called differ:\n"
                + String.join("\n", problems) + "\ncalled: " + observed.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().keySet()).collect(Collectors.joining(", ")));
    }

    private static void writeReport(Map<String, Set<String>> paths) {
        StringBuilder report = new StringBuilder("# Each component's DynamoDB requests in this module's tests: action <- who"
                + " asked, innermost first (AwsActionRecorder)\n");
        paths.forEach((component, lines) -> {
            report.append("\n[").append(component).append("]\n");
            lines.forEach(line -> report.append(line).append('\n'));
        });
        try {
            Files.writeString(Path.of("target", "iam-actions.txt"), report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Statement> policy(Map<String, List<Statement>> policies, String name) {
        List<Statement> policy = policies.get(name);
        if (policy == null) {
            throw new AssertionError("README.md has no IAM policy '" + name + "' (a ```json block after <!-- iam-policy: "
                    + name + " -->); it has " + policies.keySet());
        }
        return policy;
    }

    private static Set<String> actions(List<Statement> policy) {
        return policy.stream().flatMap(s -> s.actions().stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** {@return the README's policies by name (a block marked with several names is each of them)} */
    static Map<String, List<Statement>> readmePolicies() {
        Map<String, List<Statement>> policies = new LinkedHashMap<>();
        Matcher matcher = POLICY.matcher(readme());
        while (matcher.find()) {
            List<Statement> statements = statements(matcher.group(2));
            for (String name : matcher.group(1).trim().split("\\s+")) {
                policies.put(name, statements);
            }
        }
        return policies;
    }

    private static String readme() {
        for (Path candidate : List.of(Path.of("..", "README.md"), Path.of("README.md"))) {
            if (Files.isRegularFile(candidate)) {
                try {
                    return Files.readString(candidate, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new AssertionError("no README.md in " + Path.of("").toAbsolutePath() + " or its parent");
    }

    /** The statements of a policy document: only its Action and Resource matter here (Effect must be Allow). */
    @SuppressWarnings("unchecked")
    private static List<Statement> statements(String json) {
        Map<String, Object> document;
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            parser.nextToken();
            document = (Map<String, Object>) value(parser);
        } catch (IOException e) {
            throw new AssertionError("a README IAM policy is not JSON: " + e.getMessage() + "\n" + json, e);
        }
        List<Statement> statements = new ArrayList<>();
        for (Object item : (List<Object>) document.get("Statement")) {
            Map<String, Object> statement = (Map<String, Object>) item;
            if (!"Allow".equals(statement.get("Effect"))) {
                throw new AssertionError("a README IAM policy statement that does not allow: " + statement);
            }
            statements.add(new Statement(strings(statement.get("Action")), strings(statement.get("Resource"))));
        }
        return statements;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return value instanceof List<?> list ? (List<String>) list : List.of((String) value);
    }

    private static Object value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, Object> object = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                object.put(name, value(parser));
            }
            return object;
        }
        if (token == JsonToken.START_ARRAY) {
            List<Object> array = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(value(parser));
            }
            return array;
        }
        return parser.getValueAsString();
    }
}
