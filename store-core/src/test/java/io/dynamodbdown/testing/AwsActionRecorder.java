package io.dynamodbdown.testing;

import java.lang.StackWalker.StackFrame;
import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Records the IAM action of every DynamoDB and DynamoDB Streams request sent in this JVM, with the product code that
 * asked for it: a global SDK interceptor, listed in a module's
 * {@code src/test/resources/software/amazon/awssdk/global/handlers/execution.interceptors}, so it sees the clients the
 * adapters build themselves too (a Connect task's, an endpoint's). {@code IamPoliciesTest} of each adapter module holds
 * what its components called, over the module's whole suite, against the README's IAM policies.
 *
 * <p>Who asked is read from the stack: the classes of {@code io.dynamodbdown} (not its tests) between the request and
 * the first test class, innermost first, as {@code class#method}; a request a test sends itself has no adapter class
 * among them. A request whose stack holds no adapter class (one sent on a thread of a store's pool) adds what asked when
 * its thread was created, the same way (see {@link TestsLast}, which starts the watch). Client wrappers of the tests ({@code FaultInjectingClient}) are passed
 * over. A TransactWriteItems request counts as the actions IAM checks for it: PutItem, UpdateItem, DeleteItem and
 * ConditionCheckItem.
 */
public final class AwsActionRecorder implements ExecutionInterceptor {

    /** Ends the frames of a request that test code asked for (directly, or in a route or thread of its own). */
    public static final String TEST = "<test>";

    /**
     * One kind of request.
     *
     * @param action the IAM action, e.g. {@code dynamodb:BatchWriteItem}
     * @param askers the product frames that asked for it, innermost first, {@link #TEST} last when test code did
     */
    public record Call(String action, List<String> askers) {
    }

    private static final Set<Call> CALLS = ConcurrentHashMap.newKeySet();
    private static final Set<String> CLASSES_RUN = ConcurrentHashMap.newKeySet();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final ClassValue<Kind> KINDS = new ClassValue<>() {
        @Override
        protected Kind computeValue(Class<?> type) {
            return kindOf(type);
        }
    };

    /** What asked for the threads a thread creates: its own frames at that moment, else what asked for itself. */
    private static final InheritableThreadLocal<List<String>> CREATED_BY = new InheritableThreadLocal<>() {
        @Override
        protected List<String> childValue(List<String> parentValue) {
            return askers(parentValue);
        }
    };

    private enum Kind { PRODUCT, TEST, OTHER }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        if (service == null || !service.startsWith("DynamoDb")) {
            return; // STS, for one
        }
        List<String> askers = askers(CREATED_BY.get());
        for (String action : actions(context, attributes)) {
            CALLS.add(new Call(action, askers));
        }
    }

    private static List<String> actions(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof TransactWriteItemsRequest transaction) {
            Set<String> actions = new HashSet<>();
            for (TransactWriteItem item : transaction.transactItems()) {
                actions.add(item.put() != null ? "PutItem" : item.update() != null ? "UpdateItem"
                        : item.delete() != null ? "DeleteItem" : "ConditionCheckItem");
            }
            return actions.stream().map(a -> "dynamodb:" + a).sorted().toList();
        }
        return List.of("dynamodb:" + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    }

    /** The product frames of the current stack, innermost first; then {@code creator}'s, unless test code came first. */
    private static List<String> askers(List<String> creator) {
        return WALKER.walk(frames -> {
            List<String> askers = new ArrayList<>();
            for (StackFrame frame : (Iterable<StackFrame>) frames::iterator) {
                Class<?> type = frame.getDeclaringClass();
                if (type == AwsActionRecorder.class || type.getEnclosingClass() == AwsActionRecorder.class
                        || SdkClient.class.isAssignableFrom(type)) {
                    continue;
                }
                Kind kind = KINDS.get(type);
                if (kind == Kind.TEST) {
                    askers.add(TEST);
                    return askers;
                }
                if (kind == Kind.PRODUCT) {
                    String asker = type.getName() + "#" + frame.getMethodName();
                    if (askers.isEmpty() || !askers.get(askers.size() - 1).equals(asker)) {
                        askers.add(asker);
                    }
                }
            }
            if (creator != null && askers.stream().noneMatch(AwsActionRecorder::isAdapter)) {
                askers.addAll(creator); // a pool's thread: what asked for the pool's work asked for this
            }
            return List.copyOf(askers);
        });
    }

    /** {@return whether a frame is an adapter's (the Camel component's, the connectors'), not the store's} */
    public static boolean isAdapter(String asker) {
        return !asker.equals(TEST) && !asker.startsWith("io.dynamodbdown.store.");
    }

    private static Kind kindOf(Class<?> type) {
        if (!type.getName().startsWith("io.dynamodbdown.")) {
            return Kind.OTHER;
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        String path = location == null ? "" : location.getPath();
        return path.endsWith("/test-classes/") || path.endsWith("-tests.jar") ? Kind.TEST : Kind.PRODUCT;
    }

    /** {@return every kind of request recorded so far} */
    public static Collection<Call> calls() {
        return List.copyOf(CALLS);
    }

    /** {@return the names of the test classes of this run, as {@link TestsLast} was given them} */
    public static Set<String> classesRun() {
        return Set.copyOf(CLASSES_RUN);
    }

    /**
     * Orders the test classes of a run as given, except that the {@code IamPoliciesTest} classes come last, after every
     * request the others make; and watches, from the thread that runs the tests, which code creates each thread (see
     * {@link AwsActionRecorder}). A module's {@code junit-platform.properties} names it:
     * {@code junit.jupiter.testclass.order.default=io.dynamodbdown.testing.AwsActionRecorder$TestsLast}.
     */
    public static final class TestsLast implements ClassOrderer {
        @Override
        public void orderClasses(ClassOrdererContext context) {
            if (CREATED_BY.get() == null) {
                CREATED_BY.set(List.of());
            }
            CLASSES_RUN.addAll(context.getClassDescriptors().stream().map(d -> d.getTestClass().getName())
                    .collect(Collectors.toSet()));
            context.getClassDescriptors().sort(Comparator.comparing(d -> d.getTestClass().getSimpleName().equals("IamPoliciesTest")));
        }
    }
}
