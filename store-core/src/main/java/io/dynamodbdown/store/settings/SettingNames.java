package io.dynamodbdown.store.settings;

/** What an adapter calls each {@link Setting}: its URI option or config key. */
@FunctionalInterface
public interface SettingNames {

    String nameOf(Setting setting);
}
