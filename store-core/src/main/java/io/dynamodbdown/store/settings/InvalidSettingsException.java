package io.dynamodbdown.store.settings;

import java.util.List;
import java.util.stream.Collectors;

/** Settings that cannot work, every problem named on its setting. Nothing was sent to DynamoDB. */
public class InvalidSettingsException extends IllegalArgumentException {

    private final transient List<SettingProblem> problems;

    public InvalidSettingsException(List<SettingProblem> problems) {
        this(problems, null);
    }

    public InvalidSettingsException(List<SettingProblem> problems, Throwable cause) {
        super(describe(problems, Setting::name), cause);
        this.problems = List.copyOf(problems);
    }

    public List<SettingProblem> problems() {
        return problems;
    }

    /** Every problem as {@code name: message}, with the adapter's names. */
    public String describe(SettingNames names) {
        return describe(problems, names);
    }

    private static String describe(List<SettingProblem> problems, SettingNames names) {
        return problems.stream().map(p -> p.describe(names)).collect(Collectors.joining("; "));
    }

    /** Throws when there is any problem. */
    static void throwIfAny(List<SettingProblem> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }
}
