package io.dynamodbdown.store.settings;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with one setting. The message may name other settings as {@code {ACCESS_KEY}}; {@link
 * #message(SettingNames)} puts in the adapter's own names.
 *
 * @param setting the setting that is wrong
 * @param message what is wrong with it, other settings mentioned as {@code {NAME}} (a {@link Setting} constant)
 */
public record SettingProblem(Setting setting, String message) {

    private static final Pattern MENTION = Pattern.compile("\\{([A-Z_]+)}");

    /**
     * {@return the message with every mentioned setting under the adapter's name for it}
     *
     * @param names the adapter's names of the settings
     */
    public String message(SettingNames names) {
        Matcher mention = MENTION.matcher(message);
        StringBuilder text = new StringBuilder();
        while (mention.find()) {
            mention.appendReplacement(text, Matcher.quoteReplacement(names.nameOf(Setting.valueOf(mention.group(1)))));
        }
        return mention.appendTail(text).toString();
    }

    /**
     * {@return {@code name: message} with the adapter's names, for an exception or a log line}
     *
     * @param names the adapter's names of the settings
     */
    public String describe(SettingNames names) {
        return names.nameOf(setting) + ": " + message(names);
    }
}
