package jobs.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Settings renamed since they were first published, still read under their old names with a warning, so that a
 * CronJob's ConfigMap or environment written for an earlier version keeps working. "Chunk" meant three things (a
 * pack's objects, a pack's bytes and a restore commit's objects); each has its own word now. A new name given as
 * well wins.
 */
public final class RenamedSettings implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(RenamedSettings.class);

    /** Old name, new name. */
    static final List<Map.Entry<String, String>> RENAMED = List.of(
            Map.entry("kbackup.backup.chunk-size", "kbackup.backup.pack-objects"),
            Map.entry("kbackup.backup.chunk-bytes", "kbackup.backup.pack-bytes"),
            Map.entry("kbackup.restore.chunk-size", "kbackup.restore.commit-objects"));

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        Map<String, Object> moved = new LinkedHashMap<>();
        for (Map.Entry<String, String> rename : RENAMED) {
            // Resolved through the environment, so the old name's environment variable (KBACKUP_BACKUP_CHUNKSIZE) counts.
            String value = environment.getProperty(rename.getKey());
            if (value == null) {
                continue;
            }
            if (isGiven(environment, rename.getValue())) {
                log.warn("{} is ignored: it was renamed {}, which is given too", rename.getKey(), rename.getValue());
            } else {
                log.warn("{} was renamed {}; the old name still works, but will not forever", rename.getKey(), rename.getValue());
                moved.put(rename.getValue(), value);
            }
        }
        if (!moved.isEmpty()) {
            environment.getPropertySources().addFirst(new MapPropertySource("renamed kbackup settings", moved));
        }
    }

    /**
     * Whether a setting is given anywhere but in the packaged defaults (which name only the new keys), in any of its
     * relaxed forms ({@code --kbackup.backup.pack-objects}, {@code KBACKUP_BACKUP_PACKOBJECTS}).
     */
    private static boolean isGiven(ConfigurableEnvironment environment, String key) {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(key);
        return environment.getPropertySources().stream()
                .filter(source -> !source.getName().contains("class path resource"))
                .map(ConfigurationPropertySource::from)
                .anyMatch(source -> source != null && source.getConfigurationProperty(name) != null);
    }

    /** After the logging system is set up, so that the warnings are printed. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
