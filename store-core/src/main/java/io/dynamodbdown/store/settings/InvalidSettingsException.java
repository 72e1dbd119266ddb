package io.dynamodbdown.store.settings;

import java.util.List;
import java.util.stream.Collectors;

/** Settings that cannot work, every problem named on its setting. Nothing was sent to DynamoDB. */
public class InvalidSettingsException extends IllegalArgumentException {

    private final transient List<SettingProblem> problems;

    /**
     * Settings that cannot work; the message names each setting by its {@link Setting} constant.
     *
     * @param problems every problem found, at least one
     */
    public InvalidSettingsException(List<SettingProblem> problems) {
        this(problems, null);
    }

    /**
     * Settings that cannot work; the message names each setting by its {@link Setting} constant.
     *
     * @param problems every problem found, at least one
     * @param cause the failure that revealed them (the SDK's, for a missing region or credentials), or null
     */
    public InvalidSettingsException(List<SettingProblem> problems, Throwable cause) {
        super(describe(problems, Setting::name), cause);
        this.problems = List.copyOf(problems);
    }

    /** {@return every problem, each on its setting; unmodifiable} */
    public List<SettingProblem> problems() {
        return problems;
    }

    /**
     * {@return every problem as {@code name: message}, with the adapter's names, separated by {@code "; "}}
     *
     * @param names the adapter's names of the settings
     */
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
