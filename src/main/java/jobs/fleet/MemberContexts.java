package jobs.fleet;

import jobs.backup.AbandonedBackups;
import jobs.backup.BackupJobConfiguration;
import jobs.backup.BackupLauncher;
import jobs.config.KbackupProperties;
import jobs.config.MemberSettings;
import jobs.kube.KubeConfiguration;
import jobs.purge.PurgeJobConfiguration;
import jobs.purge.PurgeLauncher;
import jobs.snapshot.SnapshotConfiguration;
import jobs.store.StoreConfiguration;
import org.springframework.batch.core.configuration.support.ScopeConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.stereotype.Component;

/**
 * A fleet member's own beans, in a child of the application context: its settings ({@link MemberSettings}), API
 * server client, store under {@code clusters/<name>/} and snapshotter, with the single-cluster backup and purge
 * jobs over them. Everything else (the job repository, the run lifecycle, the clock, metrics) is the parent's and
 * shared, so a member's backup is the single-cluster backup, recorded, resumed and recovered as one.
 */
@Component
public class MemberContexts {

    /** What a member context holds: the ports, and the jobs that run over them. */
    private static final Class<?>[] COMPONENTS = {ScopeConfiguration.class, KubeConfiguration.class, StoreConfiguration.class,
            SnapshotConfiguration.class, BackupJobConfiguration.class, BackupLauncher.class, AbandonedBackups.class,
            PurgeJobConfiguration.class, PurgeLauncher.class};

    private final ApplicationContext root;
    private final KbackupProperties shared;

    MemberContexts(ApplicationContext root, KbackupProperties shared) {
        this.root = root;
        this.shared = shared;
    }

    /** Opens member {@code name}'s context; the caller closes it (which closes the member's clients). */
    public ConfigurableApplicationContext open(String name) {
        KbackupProperties view = MemberSettings.of(shared, name, null);
        AnnotationConfigApplicationContext member = new AnnotationConfigApplicationContext();
        member.setParent(root);
        member.setDisplayName("fleet member " + name);
        // Under the parent's bean name, so that the member's settings hide the shared ones in this context.
        member.registerBean(root.getBeanNamesForType(KbackupProperties.class)[0], KbackupProperties.class, () -> view);
        member.register(COMPONENTS);
        member.refresh();
        return member;
    }

    /** The members of the fleet, in configuration order. */
    public java.util.List<String> names() {
        return shared.fleet().names();
    }
}
