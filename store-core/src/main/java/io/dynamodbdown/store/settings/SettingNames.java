package io.dynamodbdown.store.settings;

/** What an adapter calls each {@link Setting}: its URI option or config key. */
@FunctionalInterface
public interface SettingNames {

    /**
     * {@return what this adapter calls {@code setting}, e.g. {@code aws.access.key.id} or {@code accessKey}}
     *
     * @param setting the setting to name
     */
    String nameOf(Setting setting);
}
