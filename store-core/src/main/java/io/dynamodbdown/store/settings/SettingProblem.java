package io.dynamodbdown.store.settings;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with one setting. The message may name other settings as {@code {ACCESS_KEY}}; {@link
 * #message(SettingNames)} puts in the adapter's own names.
 */
public record SettingProblem(Setting setting, String message) {

    private static final Pattern MENTION = Pattern.compile("\\{([A-Z_]+)}");

    /** The message with every mentioned setting under the adapter's name for it. */
    public String message(SettingNames names) {
        Matcher mention = MENTION.matcher(message);
        StringBuilder text = new StringBuilder();
        while (mention.find()) {
            mention.appendReplacement(text, Matcher.quoteReplacement(names.nameOf(Setting.valueOf(mention.group(1)))));
        }
        return mention.appendTail(text).toString();
    }

    /** {@code name: message}, for an exception or a log line. */
    public String describe(SettingNames names) {
        return names.nameOf(setting) + ": " + message(names);
    }
}
